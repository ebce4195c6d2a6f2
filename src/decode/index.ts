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
export { greedySteps } from './greedy.js';
export { beamSearchSteps } from './beam.js';
export { sampleSteps } from './sample.js';
export { decodeEachRow, decodeEachRowSteps, type RowChoice } from './each-row.js';
export { translateIdsSteps, prepareSources } from './translate-lines.js';
export { sampleTranslations, sampleTranslationsSteps, type TranslationSampleOptions } from './sample-translation.js';
export {
  drain,
  drainAsync,
  nextTask,
  abortError,
  type AsyncDecodeOptions,
  type StepTokens,
  type Steps,
} from './stepwise.js';
export {
  translateIdsAsync,
  translateLinesAsync,
  sampleTranslationsAsync,
  sampleAsync,
  languageModelBeamSearchAsync,
  streamText,
  streamTranslation,
} from './async.js';
export { scoreSequences, scoreTranslations, type ScoreExample, type Scored } from './score.js';
export { languageModelBeamSearch, languageModelBeamSearchSteps, type LanguageModelBeamOptions } from './lm-beam.js';
export { rowSeed } from './sample.js';
