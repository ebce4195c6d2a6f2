// `transformer translate --model DIR`: translates standard input (or --input) line by line to standard
// output (or --output), keeping the order and the empty lines. Lines are sorted by length into
// batches and written back in input order; standard input is read in chunks so that a pipe streams,
// and a terminal gets each line translated as it is typed. A source longer than the model's maxLength
// (EOS included) is cut to fit, with a warning on stderr. With --nbest N > 1 each input line gives N
// lines "LINE ||| TEXT ||| SCORE" (LINE counts from 0; an empty line gives one empty hypothesis);
// --sample draws translations instead (see translate-options.ts). --output is written atomically: a
// failure on any line leaves the file as it was.

import { withPrecision } from '../tensor/precision.js';
import { translateIds } from '../decode/translate-lines.js';
import { sampleTranslations } from '../decode/sample-translation.js';
import type { Hypothesis } from '../decode/search.js';
import { InputError } from '../errors.js';
import { AtomicFile } from '../io/atomic.js';
import { readFileNamed, sameFile } from '../io/files.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { openModelFolder, type SearchDefaults } from '../io/open-folder.js';
import { EncoderDecoder } from '../model/index.js';
import { STDIN_NAME, streamLines, textLines } from '../data/lines.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { quote } from '../quote.js';
import { integerFlag, UsageError } from './flags.js';
import { parseTranslateFlags, type TranslateFlags } from './translate-options.js';
import type { Quantization } from '../nn/int8.js';

/** Lines of standard input gathered before translating (a few batches, so that sorting pays). */
const CHUNK_BATCHES = 16;

export async function translate(argv: string[]): Promise<number> {
  const flags = parseTranslateFlags(argv);
  if (flags.input !== undefined && flags.output !== undefined && sameFile(flags.input, flags.output))
    throw new UsageError(`--output ${flags.output} is the --input file; write the translations elsewhere`);
  const all = flags.input === undefined ? null : textLines(readFileNamed(flags.input), flags.input);
  const file = flags.output === undefined ? null : AtomicFile.open(flags.output);
  try {
    await translateAll(flags, all, file === null ? (text) => process.stdout.write(text) : (text) => file.write(text));
    file?.commit();
  } finally {
    file?.abort();
  }
  return 0;
}

/** Loads the model, then translates the lines (all of --input, or standard input chunk by chunk). */
async function translateAll(flags: TranslateFlags, all: string[] | null, write: (text: string) => void) {
  const { model, tokenizer, defaults } = await load(flags.model, flags.ids, flags.quantize);
  const decode = decoder(model, flags, defaults);
  const text = textCodec(model, tokenizer, flags.input ?? STDIN_NAME);
  const multiple = flags.sampling !== null ? flags.sampling.samples > 1 : Number(flags.nbest) > 1;
  const lines: AsyncIterable<string[]> =
    all === null
      ? chunks(streamLines(process.stdin, STDIN_NAME), process.stdin.isTTY ? 1 : flags.batchSize * CHUNK_BATCHES)
      : (async function* () {
          yield all;
        })();
  const progress = all !== null && process.stderr.isTTY ? progressBar(all.length) : null;
  let first = 0; // the index of the chunk's first line in the whole input
  for await (const chunk of lines) {
    const sources = chunk.map((line, i) => text.encode(line, first + i + 1));
    const results = withPrecision(flags.precision, () =>
      decode(sources, first, {
        onTruncate: (i, length) =>
          warn(
            `line ${first + i + 1} has ${length} tokens with EOS, more than the model's maxLength ` +
              `${model.config.maxLength}: translating its first ${model.config.maxLength - 1} and EOS`,
            progress,
          ),
        onProgress: (done) => progress?.(first + done),
      }),
    );
    write(results.map((list, i) => format(list, first + i, text, multiple)).join(''));
    first += chunk.length;
  }
  progress?.(null);
}

interface Callbacks {
  onTruncate: (index: number, length: number) => void;
  onProgress: (done: number) => void;
}

/** Search (beam or greedy) or, with --sample, the draw; either gives hypotheses per source. */
function decoder(model: EncoderDecoder, flags: TranslateFlags, defaults: SearchDefaults) {
  const common = {
    batchSize: flags.batchSize,
    maxLenA: flags.maxLenA ?? defaults.maxLenA,
    maxLenB: flags.maxLenB ?? defaults.maxLenB,
    minLength: flags.minLength,
    noRepeatNgram: flags.noRepeatNgram,
  };
  const sampling = flags.sampling;
  if (sampling !== null)
    return (sources: number[][], first: number, callbacks: Callbacks) =>
      sampleTranslations(model, sources, { ...common, ...sampling, firstIndex: first, ...callbacks });
  const beam = flags.beam ?? defaults.beam;
  const nbest = integerFlag('--nbest', flags.nbest, 1, beam);
  return (sources: number[][], _first: number, callbacks: Callbacks) =>
    translateIds(model, sources, { ...common, beam, nbest, alpha: flags.alpha, ...callbacks });
}

async function load(
  dir: string,
  ids: boolean,
  quantize: Quantization,
): Promise<{ model: EncoderDecoder; tokenizer: TextTokenizer | null; defaults: SearchDefaults }> {
  const { model, tokenizer, search } = await openModelFolder(dir, { tokenizer: !ids, quantize });
  if (!(model instanceof EncoderDecoder))
    throw new InputError(`translate needs an encoder-decoder model; ${dir} holds a ${model.config.kind} model`);
  if (!ids && tokenizer === null)
    throw new UsageError(`${dir} has no ${TOKENIZER_FILE}; pass --ids to translate token ids`);
  return { model, tokenizer, defaults: search };
}

/** Text (or ids with --ids) to source ids and hypotheses back to text; a blank line is an empty source. */
function textCodec(model: EncoderDecoder, tokenizer: TextTokenizer | null, name: string) {
  const V = model.config.sourceVocabSize;
  return {
    encode(line: string, n: number): number[] {
      if (line.trim() === '') return [];
      if (tokenizer !== null) {
        const ids = [...tokenizer.encode(line, { addEos: true })];
        const bad = ids.find((id) => id >= V);
        if (bad !== undefined)
          throw new InputError(`${name}:${n}: the tokenizer gave id ${bad}, outside the model's vocabulary`);
        return ids;
      }
      return line
        .trim()
        .split(/\s+/)
        .map((field) => {
          const id = /^\d+$/.test(field) ? Number(field) : NaN;
          if (!(id < V))
            throw new InputError(`${name}:${n}: ${quote(field)} is not a token id of the vocabulary (0..${V - 1})`);
          return id;
        });
    },
    decode: (tokens: number[]): string => (tokenizer === null ? tokens.join(' ') : tokenizer.decode(tokens)),
  };
}

/** The text of the best hypothesis, or with several per line "LINE ||| TEXT ||| SCORE" lines. */
function format(list: Hypothesis[], line: number, text: ReturnType<typeof textCodec>, multiple: boolean): string {
  if (!multiple) return `${text.decode(list[0].tokens)}\n`;
  return list.map((h) => `${line} ||| ${text.decode(h.tokens)} ||| ${h.score.toFixed(4)}\n`).join('');
}

/** Lines in chunks of up to `size` (the last one shorter). */
async function* chunks(lines: AsyncIterable<string>, size: number): AsyncGenerator<string[]> {
  let chunk: string[] = [];
  for await (const line of lines) {
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
