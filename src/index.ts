// transformer-ts: the public API. Everything a program needs is exported here; docs/library.md is the map.

// The tensor engine and its backends.
export * from './tensor/index.js';
export { Adam, type AdamOptions } from './train/adam.js';
export { backend, setBackend, withBackend, availableBackends, initWasm, type BackendName } from './backend/registry.js';
export type { Backend, KernelName, AttentionShape, SparseAttentionShape, AdamParams } from './backend/backend.js';
export type { Shape } from './tensor/shape.js';
export type { SparseAttentionOptions } from './tensor/ops/sparse-attention.js';

// Models and their configs; attention observation.
export * from './model/index.js';
export { Module } from './nn/module.js';
export type { KVCache } from './model/attention.js';
export type { DecoderLayerCache } from './model/layers.js';
export type { AttentionSpec } from './model/efficient/spec.js';

// Tokenizers: ours (byte-level BPE, subword-nmt), SentencePiece, Marian's.
export * from './tokenizer/index.js';
export {
  SentencePieceModel,
  SentencePieceError,
  type ModelProto,
  type Piece,
} from './tokenizer/sentencepiece/index.js';
export {
  MarianTokenizer,
  MarianTokenizerError,
  MarianVocabulary,
  marianTokenizer,
  type MarianSpecialTokens,
  type SpmFile,
  type TextTokenizer,
} from './tokenizer/marian-tokenizer.js';
export { CharacterVocabulary } from './data/characters.js';
export { loadCharacterVocabulary, saveCharacterVocabulary } from './data/character-file.js';

// Model folders: ours and Marian's, opened by one function.
export {
  saveModel,
  loadModel,
  loadTokenizer,
  readModelConfig,
  ModelFolderError,
  type SaveOptions,
} from './io/model-folder.js';
export {
  openModelFolder,
  readFolderConfig,
  SEARCH_DEFAULTS,
  type OpenedFolder,
  type OpenOptions,
  type SearchDefaults,
  type FolderFormat,
} from './io/open-folder.js';
export type { Quantization } from './nn/int8.js';
export {
  loadMarian,
  saveMarian,
  isMarianFolder,
  MarianModel,
  type LoadedMarian,
  type MarianGeneration,
  type SaveMarianOptions,
} from './io/marian.js';
export { readSafetensors, writeSafetensors, type SafetensorsContent, type TensorToWrite } from './io/safetensors.js';

// Decoding (greedy, beam, sampling; sync, async and streaming), forced-decoding scores, attention weights.
export * from './decode/index.js';
export type { ResolvedOptions } from './decode/search.js';

// BLEU and chrF, as sacreBLEU computes them.
export * from './eval/index.js';
export type { BleuLineParts } from './eval/format.js';

// Training: the trainers, their events, the loop, schedules and losses.
export {
  Trainer,
  TrainingDiverged,
  type TrainerEvents,
  type Progress,
  type Validation,
  type StopReason,
} from './train/trainer.js';
export { trainDefaults, type TrainOptions } from './train/options.js';
export type { TrainingState } from './train/checkpoint.js';
export {
  LmTrainer,
  lmDefaults,
  splitText,
  type LmOptions,
  type LmEvents,
  type LmStep,
  type LmValidation,
  type LmStopReason,
} from './train/lm-trainer.js';
export { runLoop, trainStep, type Loop, type LoopLimits, type StepSettings } from './train/loop.js';
export { learningRate, type Schedule, type ScheduleKind } from './train/schedule.js';
export { translationLoss, type LossTerms } from './train/loss.js';
export { clipGradNorm, gradNorm } from './train/clip.js';

// Data: corpora, token-based batching, the built-in translation task.
export {
  readParallelCorpus,
  corpusFromIds,
  CorpusBuilder,
  type ParallelCorpus,
  type ReadOptions,
  type Encode as EncodeText,
} from './data/corpus.js';
export type { FilterReport, PairFilters } from './data/filters.js';
export { BatchIterator, type BatchOptions, type DataPosition } from './data/batch-iterator.js';
export { makeBatch, type Batch, type SpecialIds } from './data/batch.js';
export { planEpoch, type BucketOptions } from './data/batching.js';
export { textLines, readLines, CorpusError } from './data/lines.js';
export {
  makeTask,
  writeTask,
  defaultTaskOptions,
  type Task as BuiltinTask,
  type Split as BuiltinSplit,
  type TaskOptions as BuiltinTaskOptions,
} from './data/task/builtin-task.js';
export { makeLongText, type LongTextOptions } from './data/long-text.js';

// pipeline(): transformers.js's shape.
export * from './pipeline/index.js';

// SVG pictures: attention maps, heatmaps, curves.
export * from './viz/index.js';

// Errors: every error caused by bad input extends InputError.
export { InputError, isInputError } from './errors.js';

// Types the API's signatures refer to.
export type { WeightsDType } from './io/model-folder.js';
export type { WasmOptions } from './backend/wasm/index.js';
export type { StartDecodingOptions } from './model/encoder-decoder.js';
export type { CachedAttentionShape } from './backend/decoding-kernels.js';
export type { Bf16Operand } from './backend/bf16-contract.js';
