// The 'text-generation' task: a prompt in, `[{ generated_text }]` out (the prompt and its continuation,
// as transformers.js gives it), for a decoder-only folder: greedy by default, sampling with do_sample,
// beam search with num_beams > 1. An array of prompts of any lengths is decoded as one batch.

import { streamText } from '../../decode/async.js';
import { languageModelBeamSearchSteps, type LanguageModelBeamOptions } from '../../decode/lm-beam.js';
import { rowSeed, sampleSteps, type SampleOptions } from '../../decode/sample.js';
import type { Steps } from '../../decode/stepwise.js';
import { DecoderOnly } from '../../model/decoder-only.js';
import { CALL_OPTIONS, checkOptions, PipelineError, type OptionKind } from '../options.js';
import { runSteps, type CallOptions } from '../run.js';
import { requireModel, requireTokenizer, type PipelineSource, type TextCodec } from '../source.js';

export interface TextGenerationOptions extends CallOptions {
  /** Tokens to generate at most (fewer when the model's maxLength is reached); 50 by default. */
  max_new_tokens?: number;
  /** Draw the tokens instead of taking the most probable one (the default). */
  do_sample?: boolean;
  /** Logits are divided by it (sampling only); 1 by default. */
  temperature?: number;
  /** Draw among the k most probable tokens (0: all, the default). */
  top_k?: number;
  /** Draw among the fewest most probable tokens whose probabilities sum to p (1 by default). */
  top_p?: number;
  /** CTRL's penalty (> 1 discourages) on tokens already in the prompt or the output; 1 (off) by default. */
  repetition_penalty?: number;
  /** Bans a token that would repeat an n-gram of the prompt and output (0: off). */
  no_repeat_ngram_size?: number;
  /** Continuations per prompt: samples with do_sample, the n best of beam search (at most num_beams); 1 by default. */
  num_return_sequences?: number;
  /** Beam size; 1 (the default) is greedy search or sampling. */
  num_beams?: number;
  /** Beam search: the exponent of GNMT's length penalty ((5 + |Y|) / 6)^alpha; 0.6 by default. */
  length_penalty?: number;
  /** The seed of the draw; 0 by default. */
  seed?: number;
  /**
   * Our addition: one seed per prompt (integers >= 0), instead of `seed`. Prompt i's draws then depend
   * on seeds[i] alone, as if it were the only prompt of a call with seed seeds[i], so a list split into
   * batches draws what it draws prompt by prompt.
   */
  seeds?: number[];
  /** false gives the continuation alone; true (the default) the prompt followed by it. */
  return_full_text?: boolean;
}

/** One generated text. */
export interface TextGenerationOutput {
  generated_text: string;
}

const OPTIONS: Record<keyof TextGenerationOptions, OptionKind> = {
  ...CALL_OPTIONS,
  max_new_tokens: 'integer>=0',
  do_sample: 'boolean',
  temperature: 'number>=0',
  top_k: 'integer>=0',
  top_p: 'probability',
  repetition_penalty: 'number>0',
  no_repeat_ngram_size: 'integer>=0',
  num_return_sequences: 'integer>=1',
  num_beams: 'integer>=1',
  length_penalty: 'number>=0',
  seed: 'integer>=0',
  seeds: 'any',
  return_full_text: 'boolean',
};

type Plan =
  | { kind: 'sample'; options: SampleOptions; sequences: number; seeds?: readonly number[] }
  | { kind: 'beam'; options: LanguageModelBeamOptions; sequences: number };

function plan(given: TextGenerationOptions | undefined, inputs: number): Plan {
  const o = checkOptions('text-generation', given, OPTIONS);
  const sequences = o.num_return_sequences ?? 1;
  const beams = o.num_beams ?? 1;
  const sampling = o.do_sample === true;
  if (beams > 1) {
    if (sampling)
      throw new PipelineError('text-generation: do_sample draws one token at a time; num_beams must be 1 with it');
    if ((o.repetition_penalty ?? 1) !== 1)
      throw new PipelineError(
        'text-generation: repetition_penalty works with greedy search and sampling (num_beams 1)',
      );
    if (sequences > beams)
      throw new PipelineError(
        `text-generation: num_return_sequences (${sequences}) must be at most num_beams (${beams})`,
      );
    const { max_new_tokens: maxNewTokens, length_penalty: alpha, no_repeat_ngram_size: noRepeatNgram } = o;
    return {
      kind: 'beam',
      options: { beamSize: beams, nbest: sequences, maxNewTokens, alpha, noRepeatNgram },
      sequences,
    };
  }
  if (!sampling && sequences > 1)
    throw new PipelineError(
      'text-generation: greedy search gives one sequence; num_return_sequences > 1 needs do_sample or num_beams',
    );
  const seeds = o.seeds;
  if (
    seeds !== undefined &&
    !(Array.isArray(seeds) && seeds.length === inputs && seeds.every((x) => Number.isInteger(x) && x >= 0))
  )
    throw new PipelineError(`text-generation: seeds must be an array of ${inputs} integers >= 0, one per prompt`);
  const options: SampleOptions = {
    maxNewTokens: o.max_new_tokens,
    temperature: sampling ? (o.temperature ?? 1) : 0,
    topK: sampling ? o.top_k : 0,
    topP: sampling ? o.top_p : 1,
    repetitionPenalty: o.repetition_penalty,
    noRepeatNgram: o.no_repeat_ngram_size,
    seed: o.seed,
  };
  return { kind: 'sample', options, sequences, seeds };
}

/** The search a plan asks for over the prompts (each repeated `sequences` times when sampling): the token lists of each prompt. */
function* search(model: DecoderOnly, prompts: number[][], p: Plan): Steps<number[][][]> {
  if (p.kind === 'beam') {
    const lists = yield* languageModelBeamSearchSteps(model, prompts, p.options);
    return lists.map((list) => list.map((h) => h.tokens));
  }
  const n = p.sequences;
  const rows = prompts.flatMap((ids) => Array.from({ length: n }, () => ids));
  // With seeds, row j of prompt i draws as row j of a call of its own with seed seeds[i].
  const rowSeeds = p.seeds?.flatMap((seed) => Array.from({ length: n }, (_, j) => rowSeed(seed, j)));
  const samples = yield* sampleSteps(model, rows, { ...p.options, rowSeeds });
  return prompts.map((_, i) => samples.slice(i * n, (i + 1) * n).map((s) => s.tokens));
}

/** The text-generation pipeline: `await generator(prompt | prompts, options)`, and `generator.stream(prompt, options)`. */
export interface TextGenerationPipeline {
  (text: string, options?: TextGenerationOptions): Promise<TextGenerationOutput[]>;
  (texts: readonly string[], options?: TextGenerationOptions): Promise<TextGenerationOutput[][]>;
  readonly task: 'text-generation';
  readonly model: DecoderOnly;
  readonly tokenizer: TextCodec;
  /** The continuation's text as it is generated (without the prompt), word by word. */
  stream(text: string, options?: TextGenerationOptions): AsyncGenerator<string, void, void>;
}

export function textGenerationPipeline(source: PipelineSource): TextGenerationPipeline {
  const model = requireModel('text-generation', source, 'decoder-only', DecoderOnly);
  const tokenizer = requireTokenizer('text-generation', source);
  const encode = (text: unknown, i: number): number[] => {
    if (typeof text !== 'string')
      throw new PipelineError(`text-generation: input ${i} must be a string, got ${typeof text}`);
    const ids = [...tokenizer.encode(text)];
    if (ids.length === 0) throw new PipelineError(`text-generation: prompt ${i} is empty; it needs at least one token`);
    if (ids.length > model.config.maxLength)
      throw new PipelineError(
        `text-generation: prompt ${i} has ${ids.length} tokens, more than the model's maxLength ${model.config.maxLength}`,
      );
    return ids;
  };
  // The continuation as it reads after its prompt: a subword tokenizer drops the space that starts a
  // text (its first word's marker), which after a prompt is a real space.
  const continuation = (prompt: readonly number[], tokens: readonly number[]): string => {
    const before = tokenizer.decode(prompt);
    const whole = tokenizer.decode([...prompt, ...tokens]);
    return whole.startsWith(before) ? whole.slice(before.length) : tokenizer.decode(tokens);
  };
  async function generate(input: string | readonly string[], options?: TextGenerationOptions) {
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts))
      throw new PipelineError('text-generation: the input must be a string or an array of strings');
    const p = plan(options, texts.length);
    const call = options ?? {};
    const prompts = texts.map(encode);
    const lists = await runSteps(search(model, prompts, p), call, texts.length * p.sequences, (r) => r[0][0]);
    call.onProgress?.(texts.length, texts.length);
    const full = call.return_full_text ?? true;
    const outputs = texts.map((text, i) =>
      lists[i].map((tokens) => ({ generated_text: (full ? text : '') + continuation(prompts[i], tokens) })),
    );
    return typeof input === 'string' ? outputs[0] : outputs;
  }
  async function* stream(text: string, options?: TextGenerationOptions): AsyncGenerator<string, void, void> {
    const p = plan(options, 1);
    if (p.sequences !== 1)
      throw new PipelineError('text-generation: stream gives one sequence; num_return_sequences must be 1');
    const prompt = encode(text, 0);
    yield* streamText(
      search(model, [prompt], p),
      (tokens) => continuation(prompt, tokens),
      (r) => r[0][0],
      options ?? {},
    );
  }
  return Object.assign(generate as TextGenerationPipeline, {
    task: 'text-generation' as const,
    model,
    tokenizer,
    stream,
  });
}
