// Translation metrics: sacreBLEU-identical BLEU and chrF.
export {
  bleuSignature,
  bleuStatistics,
  closestRefLen,
  computeBleu,
  corpusBleu,
  sentenceBleu,
  SMOOTH_METHODS,
  type BleuOptions,
  type BleuScore,
  type BleuStatistics,
  type SmoothMethod,
} from './bleu.js';
export { chrfSignature, corpusChrf, sentenceChrf, type ChrfOptions, type ChrfScore } from './chrf.js';
export { formatBleu, formatChrf, formatFixed } from './format.js';
export { SACREBLEU_VERSION } from './signature.js';
export { isTokenizerName, tokenizer, TOKENIZERS, type TokenizerName } from './tokenizers.js';
export { pyRstrip, pySplit } from './whitespace.js';
