// `transformer translate --model DIR`: translates standard input (or --input) line by line to standard
// output (or --output), keeping the order and the empty lines. Lines are sorted by length into
// batches and written back in input order; standard input is read in chunks so that a pipe streams,
// and a terminal gets each line translated as it is typed. A source longer than the model's maxLength
// (EOS included) is cut to fit, with a warning on stderr. With --nbest N > 1 each input line gives N
// lines "LINE ||| TEXT ||| SCORE" (LINE counts from 0; an empty line gives one empty hypothesis).

import { createWriteStream, openSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';

import { translateIds, type TranslateOptions } from '../decode/translate-lines.js';
import type { Hypothesis } from '../decode/search.js';
import { isMarianFolder, loadMarian, marianSearchDefaults } from '../io/marian.js';
import { loadModel, loadTokenizer, ModelFolderError, TOKENIZER_FILE } from '../io/model-folder.js';
import { EncoderDecoder } from '../model/index.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { integerFlag, UsageError } from './flags.js';

const USAGE = `usage: transformer translate --model DIR [--beam K] [--alpha A] [--nbest N] [--batch-size B]
    [--max-len-a A] [--max-len-b B] [--min-len N] [--no-repeat-ngram N] [--ids] [--input F] [--output F]
  --beam K            beam size (default 4, or a Marian folder's num_beams; 1 is greedy decoding)
  --alpha A           length penalty ((5 + |Y|) / 6)^A (default 0.6)
  --nbest N           write the N best hypotheses as "LINE ||| TEXT ||| SCORE" (default 1: the text only)
  --batch-size B      sentences decoded together (default 32)
  --max-len-a/-b      at most floor(A * source tokens + B) output tokens (default 1 and 50; for a
                      Marian folder 0 and its max_length - 2)
  --ids               lines are token ids separated by spaces, in and out (no tokenizer)`;

/** Lines of standard input gathered before translating (a few batches, so that sorting pays). */
const CHUNK_BATCHES = 16;

function numberFlag(name: string, value: string | undefined, min: number): number {
  const x = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(x) || x < min)
    throw new UsageError(`${name} must be a number >= ${min}, got "${value}"`);
  return x;
}

export async function translate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      beam: { type: 'string' },
      alpha: { type: 'string', default: '0.6' },
      nbest: { type: 'string', default: '1' },
      'batch-size': { type: 'string', default: '32' },
      'max-len-a': { type: 'string' },
      'max-len-b': { type: 'string' },
      'min-len': { type: 'string', default: '0' },
      'no-repeat-ngram': { type: 'string', default: '0' },
      ids: { type: 'boolean', default: false },
      input: { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.model === undefined) throw new UsageError(`--model DIR is required\n${USAGE}`);
  const given = {
    beam: values.beam === undefined ? undefined : integerFlag('--beam', values.beam, 1, 1000),
    maxLenA: values['max-len-a'] === undefined ? undefined : numberFlag('--max-len-a', values['max-len-a'], 0),
    maxLenB: values['max-len-b'] === undefined ? undefined : integerFlag('--max-len-b', values['max-len-b'], 0),
  };
  const { model, tokenizer, defaults } = await load(values.model, values.ids);
  const beam = given.beam ?? defaults.beam;
  const options: TranslateOptions = {
    beam,
    nbest: integerFlag('--nbest', values.nbest, 1, beam),
    alpha: numberFlag('--alpha', values.alpha, 0),
    batchSize: integerFlag('--batch-size', values['batch-size'], 1),
    maxLenA: given.maxLenA ?? defaults.maxLenA,
    maxLenB: given.maxLenB ?? defaults.maxLenB,
    minLength: integerFlag('--min-len', values['min-len'], 0),
    noRepeatNgram: integerFlag('--no-repeat-ngram', values['no-repeat-ngram'], 0),
  };
  const text = textCodec(model, tokenizer);

  let lines: AsyncIterable<string[]>;
  let total: number | null = null;
  if (values.input !== undefined) {
    const all = readInputFile(values.input);
    total = all.length;
    lines = (async function* () {
      yield all;
    })();
  } else {
    lines = chunks(process.stdin, process.stdin.isTTY ? 1 : options.batchSize! * CHUNK_BATCHES);
  }
  const out: Writable = values.output === undefined ? process.stdout : openOutput(values.output);
  const progress = total !== null && process.stderr.isTTY ? progressBar(total) : null;
  let first = 0; // the index of the chunk's first line in the whole input
  for await (const chunk of lines) {
    const sources = chunk.map((line, i) => text.encode(line, first + i + 1));
    const results = translateIds(model, sources, {
      ...options,
      onTruncate: (i, length) =>
        warn(
          `line ${first + i + 1} has ${length} tokens with EOS, more than the model's maxLength ` +
            `${model.config.maxLength}: translating its first ${model.config.maxLength - 1} and EOS`,
          progress,
        ),
      onProgress: (done) => progress?.(first + done),
    });
    out.write(results.map((list, i) => format(list, first + i, options.nbest!, text)).join(''));
    first += chunk.length;
  }
  progress?.(null);
  if (out !== process.stdout)
    await new Promise<void>((resolve, reject) => out.end(() => resolve()).on('error', reject));
  return 0;
}

/** The search defaults of our folders; a Marian folder brings its own. */
const DEFAULTS = { beam: 4, maxLenA: 1, maxLenB: 50 };

async function load(
  dir: string,
  ids: boolean,
): Promise<{ model: EncoderDecoder; tokenizer: TextTokenizer | null; defaults: typeof DEFAULTS }> {
  try {
    if (isMarianFolder(dir)) {
      const marian = await loadMarian(dir);
      return {
        model: marian.model,
        tokenizer: ids ? null : marian.tokenizer,
        defaults: marianSearchDefaults(marian.generation),
      };
    }
    const model = await loadModel(dir);
    if (!(model instanceof EncoderDecoder))
      throw new UsageError(`translate needs an encoder-decoder model; ${dir} holds a ${model.config.kind} model`);
    const tokenizer = ids ? null : await loadTokenizer(dir);
    if (!ids && tokenizer === null)
      throw new UsageError(`${dir} has no ${TOKENIZER_FILE}; pass --ids to translate token ids`);
    return { model, tokenizer, defaults: DEFAULTS };
  } catch (error) {
    if (error instanceof ModelFolderError) throw new UsageError(error.message);
    throw error;
  }
}

/** Text (or ids with --ids) to source ids and hypotheses back to text; a blank line is an empty source. */
function textCodec(model: EncoderDecoder, tokenizer: TextTokenizer | null) {
  const V = model.config.sourceVocabSize;
  return {
    encode(line: string, n: number): number[] {
      if (line.trim() === '') return [];
      if (tokenizer !== null) {
        const ids = [...tokenizer.encode(line, { addEos: true })];
        const bad = ids.find((id) => id >= V);
        if (bad !== undefined)
          throw new UsageError(`line ${n}: the tokenizer gave id ${bad}, outside the model's vocabulary`);
        return ids;
      }
      return line
        .trim()
        .split(/\s+/)
        .map((field) => {
          const id = /^\d+$/.test(field) ? Number(field) : NaN;
          if (!(id < V))
            throw new UsageError(`line ${n}: "${field}" is not a token id of the vocabulary (0..${V - 1})`);
          return id;
        });
    },
    decode: (tokens: number[]): string => (tokenizer === null ? tokens.join(' ') : tokenizer.decode(tokens)),
  };
}

function format(list: Hypothesis[], line: number, nbest: number, text: ReturnType<typeof textCodec>): string {
  if (nbest === 1) return `${text.decode(list[0].tokens)}\n`;
  return list.map((h) => `${line} ||| ${text.decode(h.tokens)} ||| ${h.score.toFixed(4)}\n`).join('');
}

function openOutput(path: string): Writable {
  try {
    return createWriteStream('', { fd: openSync(path, 'w') });
  } catch (error) {
    throw new UsageError(`cannot write --output ${path}: ${(error as Error).message}`);
  }
}

function readInputFile(path: string): string[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read --input ${path}: ${(error as Error).message}`);
  }
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`--input ${path} is not valid UTF-8`);
  }
  if (content === '') return [];
  const lines = content.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Lines of a stream in chunks of up to `size` (the last one shorter). */
async function* chunks(stream: NodeJS.ReadableStream, size: number): AsyncGenerator<string[]> {
  let chunk: string[] = [];
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    chunk.push(line);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

type Progress = (done: number | null) => void;

/** A bar redrawn on stderr at most ten times a second; null ends it. */
function progressBar(total: number): Progress {
  const started = performance.now();
  let last = 0;
  return (done) => {
    if (done === null) {
      process.stderr.write('\r\x1b[K');
      return;
    }
    const now = performance.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const fraction = total === 0 ? 1 : done / total;
    const bar = '#'.repeat(Math.round(fraction * 30)).padEnd(30, '-');
    const rate = done / ((now - started) / 1000);
    process.stderr.write(
      `\r[${bar}] ${(100 * fraction).toFixed(0).padStart(3)}%  ${done}/${total} lines  ${rate.toFixed(1)} lines/s`,
    );
  };
}

function warn(message: string, progress: Progress | null): void {
  if (progress !== null) process.stderr.write('\r\x1b[K');
  process.stderr.write(`transformer translate: warning: ${message}\n`);
}
