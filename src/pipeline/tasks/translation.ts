// The 'translation' task: text in, `[{ translation_text }]` out, for an encoder-decoder folder. Greedy and
// beam search are translateIds (what `transformer translate` runs), sampling is sampleTranslations.

import { streamText } from '../../decode/async.js';
import { attentionWeights, type AttentionMap } from '../../decode/attention-weights.js';
import { sampleTranslationsSteps, type TranslationSampleOptions } from '../../decode/sample-translation.js';
import type { Hypothesis } from '../../decode/search.js';
import { translateIdsSteps, prepareSources, type TranslateOptions } from '../../decode/translate-lines.js';
import type { SearchDefaults } from '../../io/open-folder.js';
import { EncoderDecoder } from '../../model/encoder-decoder.js';
import { CALL_OPTIONS, checkOptions, either, PipelineError, type OptionKind } from '../options.js';
import { runSteps, type CallOptions } from '../run.js';
import { requireModel, requireTokenizer, type PipelineSource, type TextCodec } from '../source.js';

/** The options of a translation call: transformers.js's generation names, and ours where they differ. */
export interface TranslationOptions extends CallOptions {
  /** At most this many tokens before EOS; the folder's limit (source length + 50 for ours) by default. */
  max_new_tokens?: number;
  /** EOS is not allowed before this many tokens. */
  min_new_tokens?: number;
  /** Beam size; 1 is greedy search. The folder's default (4 for ours, the paper's) when absent. */
  num_beams?: number;
  /** Our name for num_beams. */
  beam?: number;
  /** Translations per input, best first (at most num_beams; with do_sample, that many samples). 1 by default. */
  num_return_sequences?: number;
  /** Our name for num_return_sequences. */
  nbest?: number;
  /** The exponent of the length penalty, GNMT's ((5 + |Y|) / 6)^alpha (not Hugging Face's |Y|^alpha); 0.6 by default. */
  length_penalty?: number;
  /** Our name for length_penalty. */
  alpha?: number;
  /** Bans a token that would repeat an n-gram of the output (0: off). */
  no_repeat_ngram_size?: number;
  /** CTRL's penalty (> 1 discourages) on tokens already in the output: greedy search and sampling only. */
  repetition_penalty?: number;
  /** Draw translations instead of searching; temperature, top_k and top_p apply only then. */
  do_sample?: boolean;
  temperature?: number;
  /** Draw among the k most probable tokens (0: all, the default). */
  top_k?: number;
  /** Draw among the fewest most probable tokens whose probabilities sum to p (1, all, by default). */
  top_p?: number;
  /** The seed of the draw; 0 by default. */
  seed?: number;
  /** Inputs decoded together; 32 by default. */
  batch_size?: number;
  /** Adds each translation's attention weights (every layer and head) as `attentions`. */
  output_attentions?: boolean;
}

/** One translation of an input. */
export interface TranslationOutput {
  translation_text: string;
  /** With output_attentions: the encoder's, decoder's and cross-attention weights behind this translation. */
  attentions?: AttentionMap[];
}

/** io/open-folder.ts's SEARCH_DEFAULTS (the paper's beam of 4, up to the source length + 50), kept here since that module reads files. */
const PAPER_SEARCH: SearchDefaults = { beam: 4, maxLenA: 1, maxLenB: 50 };

const OPTIONS: Record<keyof TranslationOptions, OptionKind> = {
  ...CALL_OPTIONS,
  max_new_tokens: 'integer>=0',
  min_new_tokens: 'integer>=0',
  num_beams: 'integer>=1',
  beam: 'integer>=1',
  num_return_sequences: 'integer>=1',
  nbest: 'integer>=1',
  length_penalty: 'number>=0',
  alpha: 'number>=0',
  no_repeat_ngram_size: 'integer>=0',
  repetition_penalty: 'number>0',
  do_sample: 'boolean',
  temperature: 'number>=0',
  top_k: 'integer>=0',
  top_p: 'probability',
  seed: 'integer>=0',
  batch_size: 'integer>=1',
  output_attentions: 'boolean',
};

type Plan =
  | { kind: 'search'; options: TranslateOptions; sequences: number }
  | { kind: 'sample'; options: TranslationSampleOptions; sequences: number };

/** Which search the options ask for, in the engine's terms. */
function plan(given: TranslationOptions | undefined, source: PipelineSource): Plan {
  const o = checkOptions('translation', given, OPTIONS);
  const defaults = source.search ?? PAPER_SEARCH;
  const common = {
    maxLenA: o.max_new_tokens === undefined ? defaults.maxLenA : 0,
    maxLenB: o.max_new_tokens ?? defaults.maxLenB,
    minLength: o.min_new_tokens,
    noRepeatNgram: o.no_repeat_ngram_size,
    alpha: either(o.length_penalty, o.alpha),
    batchSize: o.batch_size,
  };
  const sequences = either(o.num_return_sequences, o.nbest) ?? 1;
  const beams = either(o.num_beams, o.beam);
  const penalty = o.repetition_penalty ?? 1;
  if (o.do_sample === true) {
    if (beams !== undefined && beams > 1)
      throw new PipelineError('translation: do_sample draws one token at a time; num_beams must be 1 with it');
    const { temperature, top_k: topK, top_p: topP, seed } = o;
    const sampling = { temperature, topK, topP, seed, repetitionPenalty: penalty, samples: sequences };
    return { kind: 'sample', options: { ...common, ...sampling }, sequences };
  }
  const beam = beams ?? defaults.beam;
  if (sequences > beam)
    throw new PipelineError(`translation: num_return_sequences (${sequences}) must be at most num_beams (${beam})`);
  if (penalty !== 1) {
    if (beam > 1) throw new PipelineError('translation: repetition_penalty works with greedy search (num_beams 1)');
    // Greedy with the penalty: the draw at temperature 0 takes the most probable token after the penalty.
    return { kind: 'sample', options: { ...common, temperature: 0, repetitionPenalty: penalty }, sequences };
  }
  return { kind: 'search', options: { ...common, beam, nbest: sequences }, sequences };
}

/** The translation pipeline: `await translator(text | texts, options)`, and `translator.stream(text, options)`. */
export interface TranslationPipeline {
  (text: string, options?: TranslationOptions): Promise<TranslationOutput[]>;
  (texts: readonly string[], options?: TranslationOptions): Promise<TranslationOutput[][]>;
  readonly task: 'translation';
  readonly model: EncoderDecoder;
  readonly tokenizer: TextCodec;
  /** The best translation's text as it is decoded, word by word (whole at the end for beam search). */
  stream(text: string, options?: TranslationOptions): AsyncGenerator<string, void, void>;
}

export function translationPipeline(source: PipelineSource): TranslationPipeline {
  const model = requireModel('translation', source, 'encoder-decoder', EncoderDecoder);
  const tokenizer = requireTokenizer('translation', source);
  const encode = (text: unknown, i: number): number[] => {
    if (typeof text !== 'string')
      throw new PipelineError(`translation: input ${i} must be a string, got ${typeof text}`);
    return text.trim() === '' ? [] : [...tokenizer.encode(text, { addEos: true })];
  };
  const steps = (sources: number[][], p: Plan, options: CallOptions) => {
    const onProgress = (done: number) => options.onProgress?.(done, sources.length);
    return p.kind === 'search'
      ? translateIdsSteps(model, sources, { ...p.options, onProgress })
      : sampleTranslationsSteps(model, sources, { ...p.options, onProgress });
  };
  const output = (source: number[], h: Hypothesis, attentions: boolean): TranslationOutput => {
    const text = { translation_text: tokenizer.decode(h.tokens) };
    if (!attentions) return text;
    const [prepared] = prepareSources([source], model.config).prepared;
    return { ...text, attentions: prepared.length === 0 ? [] : attentionWeights(model, prepared, h.tokens) };
  };
  async function translate(input: string | readonly string[], options?: TranslationOptions) {
    const p = plan(options, source);
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts))
      throw new PipelineError('translation: the input must be a string or an array of strings');
    const sources = texts.map(encode);
    const call = options ?? {};
    const lists = await runSteps(steps(sources, p, call), call, sources.length, (r) => r[0][0].tokens);
    const outputs = lists.map((list, i) => list.map((h) => output(sources[i], h, call.output_attentions === true)));
    return typeof input === 'string' ? outputs[0] : outputs;
  }
  async function* stream(text: string, options?: TranslationOptions): AsyncGenerator<string, void, void> {
    const p = plan(options, source);
    if (p.sequences !== 1)
      throw new PipelineError('translation: stream gives one translation; num_return_sequences must be 1');
    const call = options ?? {};
    const search = steps([encode(text, 0)], p, call);
    yield* streamText(
      search,
      (tokens) => tokenizer.decode(tokens),
      (r) => r[0][0].tokens,
      call,
    );
  }
  return Object.assign(translate as TranslationPipeline, { task: 'translation' as const, model, tokenizer, stream });
}
