// transformer-ts in the browser: everything that runs without Node. The engine on the `js` backend,
// the models, the tokenizers (ours, SentencePiece, Marian's), decoding, BLEU and chrF, the SVG plots,
// attention observation, and opening a model folder from fetched or picked files. No module this one
// imports, directly or not, imports Node (test/browser-graph.test.ts checks it). docs/browser.md.

export * from './tensor/index.js';
export { Adam, type AdamOptions } from './train/adam.js';
export {
  availableBackends,
  backend,
  BackendError,
  registerBackend,
  setBackend,
  withBackend,
  type BackendName,
} from './backend/registry.js';
export type { Backend, KernelName, AttentionShape, SparseAttentionShape, AdamParams } from './backend/backend.js';
export { InputError } from './errors.js';

export * from './model/index.js';
export * from './tokenizer/index.js';
export {
  MarianTokenizer,
  MarianTokenizerError,
  marianTokenizer,
  type MarianSpecialTokens,
  type TextTokenizer,
} from './tokenizer/marian-tokenizer.js';
export { SentencePieceModel, SentencePieceError } from './tokenizer/sentencepiece/index.js';
export * from './decode/index.js';
export * from './eval/index.js';
export * from './viz/index.js';

export { FolderReadError, type FolderSource } from './io/folder-source.js';
export { fetchedFolder, memoryFolder, pickedFolder, type FetchedFolderOptions } from './io/folder-sources.js';
export {
  openModelFolderFrom,
  SEARCH_DEFAULTS,
  type FolderFormat,
  type OpenedFolder,
  type OpenOptions,
  type SearchDefaults,
} from './io/open-from-source.js';
export type { Quantization } from './nn/int8.js';
export { loadModelFrom, loadTokenizerFrom, ModelFolderError } from './io/model-files.js';
export { loadMarianFrom, loadMarianTokenizerFrom, type LoadedMarian } from './io/marian-files.js';
export { MarianModel } from './io/marian-model.js';
export { marianSearchDefaults, type MarianGeneration } from './io/marian-config.js';
export {
  parseSafetensors,
  parseSafetensorsHeader,
  SafetensorsError,
  type SafetensorsHeader,
  type TensorEntry,
  type StoredDType,
} from './io/safetensors-format.js';

// pipeline(): transformers.js's shape, over a folder's URL or any FolderSource.
export { pipeline } from './pipeline/browser.js';
export { pipelineFrom, type PipelineOptions } from './pipeline/open.js';
export * from './pipeline/core.js';
export { CharacterVocabulary, VOCABULARY_FILE } from './data/characters.js';
