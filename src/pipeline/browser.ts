// pipeline(task, folder) in a page: a URL is fetched (the folder's files under it), or any FolderSource
// (files the user picked, files in memory) is read as it is.

import type { FolderSource } from '../io/folder-source.js';
import { fetchedFolder } from '../io/folder-sources.js';
import type { Task, TaskPipelines } from './create.js';
import { pipelineFrom, type PipelineOptions } from './open.js';

/**
 * A pipeline over a model folder, as transformers.js's `pipeline(task, model)`:
 * `const translator = await pipeline('translation', '/models/de-en/'); await translator('Ein Haus.')`.
 */
export async function pipeline<K extends Task>(
  task: K,
  folder: string | FolderSource,
  options: PipelineOptions = {},
): Promise<TaskPipelines[K]> {
  return pipelineFrom(task, typeof folder === 'string' ? fetchedFolder(folder) : folder, options);
}
