// Decoding: greedy and beam search for translation, sampling for language models.
export { greedy, argmax } from './greedy.js';
export { beamSearch, type BeamOptions } from './beam.js';
export { sample, type SampleOptions, type Sample } from './sample.js';
export { lengthPenalty, normalizedScore } from './length-penalty.js';
export { maxOutputLength, padSources, type Hypothesis, type SearchOptions } from './search.js';
export { banRepeatedNgrams, penalizeRepeats } from './constraints.js';
export { gatherRows } from './rows.js';
export { attentionWeights, type AttentionMap } from './attention-weights.js';
export { translateIds, translateLines, type TranslateOptions } from './translate-lines.js';
