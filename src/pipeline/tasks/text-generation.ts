// The 'text-generation' task: a prompt in, `[{ generated_text }]` out (the prompt and its continuation,
// as transformers.js gives it), for a decoder-only folder: greedy by default, sampling with do_sample.

import { streamText } from '../../decode/async.js';
import { sampleSteps, type Sample, type SampleOptions } from '../../decode/sample.js';
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
  /** Continuations per prompt (with do_sample); 1 by default. */
  num_return_sequences?: number;
  /** The seed of the draw; 0 by default. */
  seed?: number;
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
  seed: 'integer>=0',
  return_full_text: 'boolean',
};

function plan(given: TextGenerationOptions | undefined): { options: SampleOptions; sequences: number } {
  const o = checkOptions('text-generation', given, OPTIONS);
  const sequences = o.num_return_sequences ?? 1;
  const sampling = o.do_sample === true;
  if (!sampling && sequences > 1)
    throw new PipelineError(
      'text-generation: greedy search gives one sequence; num_return_sequences > 1 needs do_sample',
    );
  const options: SampleOptions = {
    maxNewTokens: o.max_new_tokens,
    temperature: sampling ? (o.temperature ?? 1) : 0,
    topK: sampling ? o.top_k : 0,
    topP: sampling ? o.top_p : 1,
    repetitionPenalty: o.repetition_penalty,
    noRepeatNgram: o.no_repeat_ngram_size,
    seed: o.seed,
  };
  return { options, sequences };
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
  async function generate(input: string | readonly string[], options?: TextGenerationOptions) {
    const { options: sampling, sequences } = plan(options);
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts))
      throw new PipelineError('text-generation: the input must be a string or an array of strings');
    const prompts = texts.map(encode).flatMap((ids) => Array.from({ length: sequences }, () => ids));
    const call = options ?? {};
    const samples: Sample[] = await runSteps(
      sampleSteps(model, prompts, sampling),
      call,
      prompts.length,
      (r) => r[0].tokens,
    );
    call.onProgress?.(texts.length, texts.length);
    const full = call.return_full_text ?? true;
    const outputs = texts.map((text, i) =>
      samples.slice(i * sequences, (i + 1) * sequences).map((s) => ({
        generated_text: (full ? text : '') + tokenizer.decode(s.tokens),
      })),
    );
    return typeof input === 'string' ? outputs[0] : outputs;
  }
  async function* stream(text: string, options?: TextGenerationOptions): AsyncGenerator<string, void, void> {
    const { options: sampling, sequences } = plan(options);
    if (sequences !== 1)
      throw new PipelineError('text-generation: stream gives one sequence; num_return_sequences must be 1');
    const steps = sampleSteps(model, [encode(text, 0)], sampling);
    yield* streamText(
      steps,
      (tokens) => tokenizer.decode(tokens),
      (r) => r[0].tokens,
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
