// One opener for any model folder: ours (config.json in the transformer-ts/model format) or a Hugging
// Face MarianMT folder. Every command that takes a model folder goes through it, so each accepts both
// and answers both in the same words.

import type { Model } from '../model/index.js';
import type { ModelConfig } from '../model/config.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
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

export type FolderFormat = 'transformer-ts' | 'marian';

export interface OpenedFolder {
  format: FolderFormat;
  model: Model;
  /** Null when the folder has none (our folders may hold a model alone) or none was asked for. */
  tokenizer: TextTokenizer | null;
  search: SearchDefaults;
  /** A Marian folder's generation settings, kept so that it can be written out again. */
  marian: MarianGeneration | null;
}

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
