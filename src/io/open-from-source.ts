// One opener for any model folder, from any FolderSource: ours (config.json in the transformer-ts/model
// format) or a Hugging Face MarianMT folder. Node's openModelFolder(dir) is this opener over the folder on
// disk; a page passes fetched or picked files (folder-sources.ts). Nothing here needs Node.

import { quantizeModel, type Model } from '../model/index.js';
import type { Quantization } from '../nn/int8.js';
import { MarianTokenizerError, MARIAN_VOCAB_FILE, type MarianTokenizer } from '../tokenizer/marian-tokenizer.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { FolderReadError, type FolderSource } from './folder-source.js';
import { marianSearchDefaults, MARIAN_CONFIG_FILE, type MarianGeneration } from './marian-config.js';
import { isMarianConfigBytes, loadMarianFrom, loadMarianTokenizerFrom } from './marian-files.js';
import { loadModelFrom, loadTokenizerFrom, ModelFolderError } from './model-files.js';

/** The search settings a folder asks for unless the caller overrides them. */
export interface SearchDefaults {
  beam: number;
  /** Outputs end after maxLenA * |source| + maxLenB tokens. */
  maxLenA: number;
  maxLenB: number;
}

/** Our folders carry no generation settings: the paper's beam of 4, and up to the source length + 50. */
export const SEARCH_DEFAULTS: Readonly<SearchDefaults> = { beam: 4, maxLenA: 1, maxLenB: 50 };

/** The kinds of model folder the openers read: ours, or a Hugging Face MarianMT folder. */
export type FolderFormat = 'transformer-ts' | 'marian';

/** What a folder holds; `tokenizer` is null when none was asked for (or, for ours, the folder has none). */
export type OpenedFolder =
  | {
      format: 'transformer-ts';
      model: Model;
      /** tokenizer.json, or the Marian tokenizer files of a run started from a Marian folder (train --init). */
      tokenizer: Tokenizer | MarianTokenizer | null;
      search: SearchDefaults;
      marian: null;
    }
  | {
      format: 'marian';
      model: Model;
      tokenizer: MarianTokenizer | null;
      search: SearchDefaults;
      /** The folder's generation settings, kept so that it can be written out again. */
      marian: MarianGeneration;
    };

/** What openModelFolder and openModelFolderFrom load. */
export interface OpenOptions {
  /** Load the tokenizer too (default true). */
  tokenizer?: boolean;
  /** 'int8': quantize the weights of linear layers and embeddings once, for int8 inference (default 'none'). */
  quantize?: Quantization;
}

/** The model, its tokenizer and its search defaults; a folder that is neither kind is a ModelFolderError. */
export async function openModelFolderFrom(source: FolderSource, options: OpenOptions = {}): Promise<OpenedFolder> {
  const opened = await openUnquantized(source, options);
  quantizeModel(opened.model, options.quantize ?? 'none');
  return opened;
}

async function openUnquantized(source: FolderSource, options: OpenOptions): Promise<OpenedFolder> {
  const wantTokenizer = options.tokenizer ?? true;
  const config = await readIfReadable(source);
  // config.json is read once: the loaders get it from memory.
  const folder = config === null ? source : remembering(source, MARIAN_CONFIG_FILE, config);
  if (isMarianConfigBytes(config)) {
    const marian = await loadMarianFrom(folder);
    return {
      format: 'marian',
      model: marian.model,
      tokenizer: wantTokenizer ? marian.tokenizer : null,
      search: marianSearchDefaults(marian.generation),
      marian: marian.generation,
    };
  }
  // Our loader reads config.json again when it was absent or unreadable, and says so in its words.
  const model = await loadModelFrom(folder);
  const tokenizer = wantTokenizer ? await ourFolderTokenizer(folder) : null;
  return { format: 'transformer-ts', model, tokenizer, search: { ...SEARCH_DEFAULTS }, marian: null };
}

/** tokenizer.json, else the vocab.json and .spm files that a run started from a Marian folder keeps. */
export async function ourFolderTokenizer(source: FolderSource): Promise<Tokenizer | MarianTokenizer | null> {
  const tokenizer = await loadTokenizerFrom(source);
  if (tokenizer !== null || (await readIfReadable(source, MARIAN_VOCAB_FILE)) === null) return tokenizer;
  try {
    return await loadMarianTokenizerFrom(source);
  } catch (error) {
    if (error instanceof MarianTokenizerError) throw new ModelFolderError(error.message);
    throw error;
  }
}

/** The file's bytes, or null when it is absent or unreadable (its loader then says why, in its words). */
async function readIfReadable(source: FolderSource, name = MARIAN_CONFIG_FILE): Promise<Uint8Array | null> {
  try {
    return await source.read(name);
  } catch (error) {
    if (error instanceof FolderReadError) return null;
    throw error;
  }
}

/** `source`, answering for the file `name` with `bytes` already read. */
function remembering(source: FolderSource, name: string, bytes: Uint8Array): FolderSource {
  return {
    folder: source.folder,
    pathOf: (file) => source.pathOf(file),
    read: async (file) => (file === name ? bytes : source.read(file)),
  };
}
