// transformer-ts: the public API.
export * from './tensor/index.js';
export { Adam, type AdamOptions } from './train/adam.js';
export { backend, setBackend, withBackend, availableBackends, initWasm, type BackendName } from './backend/registry.js';
export type { Backend, KernelName, AttentionShape, SparseAttentionShape, AdamParams } from './backend/backend.js';
export * from './tokenizer/index.js';
export * from './model/index.js';
export { saveModel, loadModel, loadTokenizer } from './io/model-folder.js';
export { readSafetensors, writeSafetensors } from './io/safetensors.js';
export * from './eval/index.js';
