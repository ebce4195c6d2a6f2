// pipeline(): transformers.js's shape over our model folders.
export { pipeline } from './node.js';
export { pipelineFrom, type PipelineOptions } from './open.js';
export * from './core.js';
