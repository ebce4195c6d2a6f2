// pipeline()'s core, free of Node: a task name and an opened model (a folder opened by
// openModelFolder, the browser's opener, or a model and tokenizer in memory) give a callable pipeline.
// Each task is one file under tasks/; adding a task is a row in TASKS.

import { PipelineError } from './options.js';
import type { PipelineSource } from './source.js';
import { fillMaskPipeline, type FillMaskPipeline } from './tasks/fill-mask.js';
import { textClassificationPipeline, type TextClassificationPipeline } from './tasks/text-classification.js';
import { textGenerationPipeline, type TextGenerationPipeline } from './tasks/text-generation.js';
import { translationPipeline, type TranslationPipeline } from './tasks/translation.js';

/** Every task by name, with the pipeline it makes. */
export interface TaskPipelines {
  translation: TranslationPipeline;
  'text-generation': TextGenerationPipeline;
  'text-classification': TextClassificationPipeline;
  'fill-mask': FillMaskPipeline;
}

/** The name of a pipeline task. */
export type Task = keyof TaskPipelines;

const TASKS: { [K in Task]: (source: PipelineSource) => TaskPipelines[K] } = {
  translation: translationPipeline,
  'text-generation': textGenerationPipeline,
  'text-classification': textClassificationPipeline,
  'fill-mask': fillMaskPipeline,
};

/** The names of the tasks pipeline() knows. */
export const TASK_NAMES = Object.keys(TASKS) as readonly Task[];

/** The task's pipeline over an opened model; an unknown task or a model of the wrong kind is a PipelineError. */
export function createPipeline<K extends Task>(task: K, source: PipelineSource): TaskPipelines[K] {
  if (!Object.hasOwn(TASKS, task))
    throw new PipelineError(`unknown task ${JSON.stringify(task)}; expected one of ${TASK_NAMES.join(', ')}`);
  return TASKS[task](source);
}
