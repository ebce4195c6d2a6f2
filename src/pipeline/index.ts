// pipeline(): transformers.js's shape over our model folders.
export { pipeline, type PipelineOptions } from './node.js';
export * from './core.js';
