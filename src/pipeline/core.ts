// The pipeline without Node: what a browser entry point re-exports.
export { createPipeline, TASK_NAMES, type Task as PipelineTask, type TaskPipelines } from './create.js';
export { PipelineError, type OptionKind } from './options.js';
export type { CallOptions, Streamer } from './run.js';
export type { PipelineSource, TextCodec } from './source.js';
export { TextStreamer, type TextStreamerOptions } from './streamer.js';
export type { TranslationOptions, TranslationOutput, TranslationPipeline } from './tasks/translation.js';
export type { TextGenerationOptions, TextGenerationOutput, TextGenerationPipeline } from './tasks/text-generation.js';
export type {
  TextClassificationOptions,
  TextClassificationOutput,
  TextClassificationPipeline,
} from './tasks/text-classification.js';
export { MASK_TOKEN, type FillMaskOptions, type FillMaskOutput, type FillMaskPipeline } from './tasks/fill-mask.js';
