// One opener for any model folder on disk: ours (config.json in the transformer-ts/model format) or a
// Hugging Face MarianMT folder. Every command that takes a model folder goes through it, so each accepts
// both and answers both in the same words. It is openModelFolderFrom (open-from-source.ts) over the
// folder's files, which pages use with fetched or picked files.

import type { ModelConfig } from '../model/config.js';
import type { MarianTokenizer } from '../tokenizer/marian-tokenizer.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { DirectorySource } from './directory-source.js';
import { isMarianFolder, loadMarianTokenizer, readMarianConfig } from './marian.js';
import { readModelConfig } from './model-folder.js';
import {
  openModelFolderFrom,
  ourFolderTokenizer,
  type FolderFormat,
  type OpenedFolder,
  type OpenOptions,
} from './open-from-source.js';

export {
  openModelFolderFrom,
  SEARCH_DEFAULTS,
  type FolderFormat,
  type OpenedFolder,
  type OpenOptions,
  type SearchDefaults,
} from './open-from-source.js';

export function folderFormat(dir: string): FolderFormat {
  return isMarianFolder(dir) ? 'marian' : 'transformer-ts';
}

/** The model, its tokenizer and its search defaults; a folder that is neither kind is a ModelFolderError. */
export async function openModelFolder(dir: string, options: OpenOptions = {}): Promise<OpenedFolder> {
  return openModelFolderFrom(new DirectorySource(dir), options);
}

/** The folder's model config without reading its weights (for pictures and summaries). */
export function readFolderConfig(dir: string): ModelConfig {
  return folderFormat(dir) === 'marian' ? readMarianConfig(dir) : readModelConfig(dir);
}

/** The folder's tokenizer alone (for a process that leaves the model to another thread). */
export async function openFolderTokenizer(dir: string): Promise<Tokenizer | MarianTokenizer | null> {
  return folderFormat(dir) === 'marian' ? loadMarianTokenizer(dir) : ourFolderTokenizer(new DirectorySource(dir));
}
