// `transformer generate --model DIR`: continues prompts (--prompt, --input F or standard input, one per line)
// with a decoder-only language model, through pipeline('text-generation'), on the key/value cache: greedy by
// default, --do-sample draws (src/decode/sample.ts), --beam N searches (src/decode/lm-beam.ts). Prompts go
// --batch-size at a time, of any lengths in one left-padded batch; each prompt's output is what it would be
// alone (a draw depends on --seed and the prompt's place only). Plain output is each prompt followed by its
// continuation (which may hold line breaks: a character model continues text); --json writes one object per
// prompt on one line. A single prompt is streamed as it is generated (whole at the end with --beam).

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { allLines, STDIN_NAME, textLines } from '../data/lines.js';
import { InputError } from '../errors.js';
import { pipeline } from '../pipeline/node.js';
import type { TextGenerationOptions, TextGenerationPipeline } from '../pipeline/tasks/text-generation.js';
import { integerFlag, numberFlag, UsageError } from './flags.js';

/** A prompt and where it came from (a file and line, or the flag), for messages. */
interface Prompt {
  text: string;
  where: string;
}

export async function generate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      prompt: { type: 'string', multiple: true },
      input: { type: 'string' },
      'max-new-tokens': { type: 'string', default: '50' },
      'do-sample': { type: 'boolean', default: false },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      'repetition-penalty': { type: 'string', default: '1' },
      'no-repeat-ngram': { type: 'string', default: '0' },
      'num-return-sequences': { type: 'string' },
      beam: { type: 'string', default: '1' },
      nbest: { type: 'string' },
      alpha: { type: 'string' },
      seed: { type: 'string' },
      'continuation-only': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: '16' },
    },
  });
  if (values.model === undefined) throw new UsageError('--model DIR is required (transformer generate --help)');
  if (values.prompt !== undefined && values.input !== undefined)
    throw new UsageError('give the prompts with --prompt or with --input, not both');
  const options = generationOptions(values);
  const batchSize = integerFlag('--batch-size', values['batch-size'], 1);
  const generator = await pipeline('text-generation', values.model);
  const prompts = await readPrompts(values.prompt, values.input);
  prompts.forEach((p) => checkPrompt(generator, p));
  warnIfCut(generator, prompts, options.max_new_tokens!);
  const write = (text: string) => process.stdout.write(text);
  const sampling = options.do_sample === true;
  const seed = options.seed ?? 0;
  // Prompt i draws with its own seed, whatever batch it is in.
  const optionsOf = (start: number, n: number) =>
    sampling
      ? { ...options, seed: undefined, seeds: Array.from({ length: n }, (_, i) => promptSeed(seed, start + i)) }
      : options;
  if (prompts.length === 1 && !values.json && (options.num_return_sequences ?? 1) === 1) {
    if (options.return_full_text !== false) write(prompts[0].text);
    const single = sampling ? { ...options, seed: promptSeed(seed, 0) } : options;
    for await (const piece of generator.stream(prompts[0].text, single)) write(piece);
    write('\n');
    return 0;
  }
  for (let start = 0; start < prompts.length; start += batchSize) {
    const batch = prompts.slice(start, start + batchSize);
    const outputs = await generator(
      batch.map((p) => p.text),
      optionsOf(start, batch.length),
    );
    const lines = outputs.map((sequences, i) => {
      const texts = sequences.map((s) => s.generated_text);
      return values.json ? [JSON.stringify({ prompt: batch[i].text, generated_text: texts })] : texts;
    });
    write(`${lines.flat().join('\n')}\n`);
  }
  return 0;
}

/** The seed of the i-th prompt's draw: its output depends on --seed and its place only, not on the other prompts. */
export function promptSeed(seed: number, i: number): number {
  return (seed ^ Math.imul(i + 1, 0x85ebca6b)) >>> 0;
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** The pipeline's options from the flags; sampling flags without --do-sample are a usage error. */
function generationOptions(values: Values): TextGenerationOptions {
  const text = (name: string) => values[name] as string | undefined;
  const sampling = values['do-sample'] === true;
  for (const name of ['temperature', 'top-k', 'top-p', 'seed'])
    if (!sampling && text(name) !== undefined) throw new UsageError(`--${name} draws tokens: add --do-sample`);
  if (text('nbest') !== undefined && text('num-return-sequences') !== undefined)
    throw new UsageError('--nbest and --num-return-sequences are one setting: give one of them');
  const [sequencesFlag, sequencesText] =
    text('nbest') !== undefined ? ['--nbest', text('nbest')] : ['--num-return-sequences', text('num-return-sequences')];
  const sequences = integerFlag(sequencesFlag, sequencesText ?? '1', 1, 1000);
  const beam = integerFlag('--beam', text('beam'), 1, 1000);
  const penalty = numberFlag('--repetition-penalty', text('repetition-penalty'), { above: 0 });
  if (beam > 1 && sampling) throw new UsageError('--beam searches and --do-sample draws: give one of them');
  if (beam > 1 && penalty !== 1)
    throw new UsageError('--repetition-penalty applies to greedy search and --do-sample, not --beam');
  if (beam === 1 && text('alpha') !== undefined)
    throw new UsageError('--alpha is the length penalty of --beam N (N > 1)');
  if (beam > 1 && sequences > beam)
    throw new UsageError(`${sequencesFlag} (${sequences}) must be at most --beam (${beam})`);
  if (!sampling && beam === 1 && sequences > 1)
    throw new UsageError(`${sequencesFlag} > 1 needs --do-sample or --beam (greedy search gives one sequence)`);
  const options: TextGenerationOptions = {
    max_new_tokens: integerFlag('--max-new-tokens', text('max-new-tokens'), 0, 1 << 20),
    repetition_penalty: penalty,
    no_repeat_ngram_size: integerFlag('--no-repeat-ngram', text('no-repeat-ngram'), 0),
    num_return_sequences: sequences,
    num_beams: beam,
    length_penalty: text('alpha') === undefined ? undefined : numberFlag('--alpha', text('alpha'), { min: 0 }),
    return_full_text: values['continuation-only'] !== true,
  };
  if (!sampling) return options;
  const optional = <T>(name: string, parse: (v: string) => T) =>
    text(name) === undefined ? undefined : parse(text(name)!);
  return {
    ...options,
    do_sample: true,
    temperature: optional('temperature', (v) => numberFlag('--temperature', v, { min: 0 })),
    top_k: optional('top-k', (v) => integerFlag('--top-k', v, 0)),
    top_p: optional('top-p', (v) => numberFlag('--top-p', v, { above: 0, max: 1 })),
    seed: optional('seed', (v) => integerFlag('--seed', v, 0, 2 ** 32 - 1)),
  };
}

/** The prompts of --prompt (each one), of --input (one per line) or of standard input. */
async function readPrompts(flags: string[] | undefined, input: string | undefined): Promise<Prompt[]> {
  if (flags !== undefined) return flags.map((text, i) => ({ text, where: `--prompt ${i + 1}` }));
  const name = input ?? STDIN_NAME;
  const lines = input === undefined ? await allLines(process.stdin, name) : textLines(readFileSync(input), input);
  if (lines.length === 0) throw new InputError(`${name}: no prompts (one per line)`);
  return lines.map((text, i) => ({ text, where: `${name}:${i + 1}` }));
}

/** A prompt the model cannot read is an error naming where it came from, before anything is generated. */
function checkPrompt(generator: TextGenerationPipeline, prompt: Prompt): void {
  let length: number;
  try {
    length = [...generator.tokenizer.encode(prompt.text)].length;
  } catch (error) {
    throw new InputError(`${prompt.where}: ${(error as Error).message}`);
  }
  if (length === 0) throw new InputError(`${prompt.where}: an empty prompt; a continuation needs at least one token`);
  const { maxLength } = generator.model.config;
  if (length > maxLength)
    throw new InputError(`${prompt.where}: ${length} tokens, more than the model's maxLength ${maxLength}`);
}

/** The model reads at most maxLength tokens, so a long prompt leaves room for fewer new ones: say so once. */
function warnIfCut(generator: TextGenerationPipeline, prompts: Prompt[], maxNew: number): void {
  const { maxLength } = generator.model.config;
  const longest = Math.max(...prompts.map((p) => [...generator.tokenizer.encode(p.text)].length));
  if (longest + maxNew - 1 > maxLength)
    process.emitWarning(
      `the model reads at most ${maxLength} tokens: a prompt of ${longest} gets at most ` +
        `${maxLength - longest + 1} new tokens, fewer than --max-new-tokens ${maxNew}`,
      { code: 'TRANSFORMER_MAX_LENGTH' },
    );
}
