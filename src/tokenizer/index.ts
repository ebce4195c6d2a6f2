// The subword tokenizer's public surface.

export { Tokenizer, type EncodeOptions } from './tokenizer.js';
export { learnBpe, type LearnOptions } from './learn.js';
export { learnMerges, type Merge, type MergeOptions } from './learn-merges.js';
export { MergeTable } from './merge-table.js';
export { countWords, formatCodes, learnSubwordNmt, parseCodes, SubwordNmtApplier } from './subword-nmt.js';
export { FORMAT as TOKENIZER_FORMAT, VERSION as TOKENIZER_VERSION } from './format.js';
export { BOS_ID, CONTROL_TOKENS, EOS_ID, META, PAD_ID, UNK_ID, type TokenizerSpec } from './vocab.js';
