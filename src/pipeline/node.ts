// pipeline(task, folder) in Node: opens the folder (ours, a Marian folder, or a character language model
// that `transformer lm` wrote) and hands it to createPipeline.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CharacterVocabulary, VOCABULARY_FILE } from '../data/characters.js';
import { CONFIG_FILE } from '../io/model-folder.js';
import { openModelFolder } from '../io/open-folder.js';
import { createPipeline, type Task, type TaskPipelines } from './create.js';
import { PipelineError } from './options.js';
import type { PipelineSource, TextCodec } from './source.js';

/** Options of pipeline() itself (those of each call are the task's). */
export interface PipelineOptions {
  /** Called once the folder is read, with its path. */
  onLoad?: (folder: string) => void;
}

/**
 * A pipeline over a model folder, as transformers.js's `pipeline(task, model)`:
 * `const translator = await pipeline('translation', 'run/model'); await translator('Ein Haus.')`.
 */
export async function pipeline<K extends Task>(
  task: K,
  folder: string,
  options: PipelineOptions = {},
): Promise<TaskPipelines[K]> {
  const opened = await openModelFolder(folder);
  const source: PipelineSource = { ...opened, name: folder, labels: labelsOf(folder) };
  if (opened.tokenizer === null && existsSync(join(folder, VOCABULARY_FILE)))
    source.tokenizer = characterCodec(CharacterVocabulary.load(join(folder, VOCABULARY_FILE)), folder);
  options.onLoad?.(folder);
  return createPipeline(task, source);
}

/** A character vocabulary as a tokenizer (no EOS: a character model continues text). */
function characterCodec(vocabulary: CharacterVocabulary, folder: string): TextCodec {
  const encode = (text: string) => {
    try {
      return vocabulary.encode(text);
    } catch (error) {
      // A character the model never saw: say which, and whose vocabulary lacks it.
      throw new PipelineError(`${folder}/${VOCABULARY_FILE}: ${(error as Error).message}`);
    }
  };
  return { encode, decode: (ids) => vocabulary.decode(ids) };
}

/** Hugging Face's config.json id2label ({"0": "NEGATIVE", ...}), when the folder's config has it. */
function labelsOf(folder: string): string[] | undefined {
  try {
    const config = JSON.parse(readFileSync(join(folder, CONFIG_FILE), 'utf8')) as { id2label?: unknown };
    const map = config.id2label;
    if (map === null || typeof map !== 'object') return undefined;
    const labels: string[] = [];
    for (const [id, name] of Object.entries(map)) if (/^\d+$/.test(id)) labels[Number(id)] = String(name);
    return labels;
  } catch {
    return undefined; // a Marian folder's config, or none: the opener has already said what is wrong
  }
}
