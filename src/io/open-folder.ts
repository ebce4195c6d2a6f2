// One opener for any model folder: ours (config.json in the transformer-ts/model format) or a Hugging
// Face MarianMT folder. Every command that takes a model folder goes through it, so each accepts both
// and answers both in the same words.

import type { Model } from '../model/index.js';
import type { ModelConfig } from '../model/config.js';
import { MarianTokenizer } from '../tokenizer/marian-tokenizer.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { isMarianFolder, loadMarian, marianSearchDefaults, type MarianGeneration } from './marian.js';
import { readMarianConfig } from './marian-config.js';
import { loadModel, loadTokenizer, readModelConfig } from './model-folder.js';

/** The search settings a folder asks for unless the caller overrides them. */
export interface SearchDefaults {
  beam: number;
  /** Outputs end after maxLenA * |source| + maxLenB tokens. */
  maxLenA: number;
  maxLenB: number;
}

/** Our folders carry no generation settings: the paper's beam of 4, and up to the source length + 50. */
export const SEARCH_DEFAULTS: Readonly<SearchDefaults> = { beam: 4, maxLenA: 1, maxLenB: 50 };

/** The kinds of model folder openModelFolder reads. */
export type FolderFormat = 'transformer-ts' | 'marian';

/** What a folder holds; `tokenizer` is null when none was asked for (or, for ours, the folder has none). */
export type OpenedFolder =
  | { format: 'transformer-ts'; model: Model; tokenizer: Tokenizer | null; search: SearchDefaults; marian: null }
  | {
      format: 'marian';
      model: Model;
      tokenizer: MarianTokenizer | null;
      search: SearchDefaults;
      /** The folder's generation settings, kept so that it can be written out again. */
      marian: MarianGeneration;
    };

/** What openModelFolder loads. */
export interface OpenOptions {
  /** Load the tokenizer too (default true). */
  tokenizer?: boolean;
}

export function folderFormat(dir: string): FolderFormat {
  return isMarianFolder(dir) ? 'marian' : 'transformer-ts';
}

/** The model, its tokenizer and its search defaults; a folder that is neither kind is a ModelFolderError. */
export async function openModelFolder(dir: string, options: OpenOptions = {}): Promise<OpenedFolder> {
  const wantTokenizer = options.tokenizer ?? true;
  if (folderFormat(dir) === 'marian') {
    const marian = await loadMarian(dir);
    return {
      format: 'marian',
      model: marian.model,
      tokenizer: wantTokenizer ? marian.tokenizer : null,
      search: marianSearchDefaults(marian.generation),
      marian: marian.generation,
    };
  }
  const model = await loadModel(dir);
  const tokenizer = wantTokenizer ? await loadTokenizer(dir) : null;
  return { format: 'transformer-ts', model, tokenizer, search: { ...SEARCH_DEFAULTS }, marian: null };
}

/** The folder's model config without reading its weights (for pictures and summaries). */
export function readFolderConfig(dir: string): ModelConfig {
  return folderFormat(dir) === 'marian' ? readMarianConfig(dir).config : readModelConfig(dir);
}

/** The folder's tokenizer alone (for a process that leaves the model to another thread). */
export async function openFolderTokenizer(dir: string): Promise<Tokenizer | MarianTokenizer | null> {
  return folderFormat(dir) === 'marian' ? MarianTokenizer.load(dir) : loadTokenizer(dir);
}
