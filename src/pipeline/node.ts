// pipeline(task, folder) in Node: the folder on disk, opened as any other source (open.ts).

import { DirectorySource } from '../io/directory-source.js';
import type { Task, TaskPipelines } from './create.js';
import { pipelineFrom, type PipelineOptions } from './open.js';

export type { PipelineOptions } from './open.js';

/**
 * A pipeline over a model folder, as transformers.js's `pipeline(task, model)`:
 * `const translator = await pipeline('translation', 'run/model'); await translator('Ein Haus.')`.
 */
export async function pipeline<K extends Task>(
  task: K,
  folder: string,
  options: PipelineOptions = {},
): Promise<TaskPipelines[K]> {
  return pipelineFrom(task, new DirectorySource(folder), options);
}
