// `transformer score --model DIR [--ids]`: forced decoding. Each line of standard input is scored
// token by token under the model, one JSON line out per line in:
// {"tokens": [...], "logprobs": [...], "sum": S}.
//
// Encoder-decoder: lines are SOURCE<TAB>TARGET; both get EOS appended (as in training), the decoder
// reads the target shifted right behind bosId, and every target token, EOS included, is scored.
// Decoder-only: a line is one sequence; text gets BOS and EOS, ids get EOS appended; every token after
// the first is scored given the ones before it.

import { parseArgs } from 'node:util';

import { allLines, STDIN_NAME } from '../data/lines.js';
import { InputError } from '../errors.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { openModelFolder } from '../io/open-folder.js';
import { quote } from '../quote.js';
import { scoreSequences, scoreTranslations, type ScoreExample as Example } from '../decode/score.js';
import { DecoderOnly, EncoderDecoder } from '../model/index.js';
import { withPrecision } from '../tensor/precision.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { integerFlag, UsageError } from './flags.js';
import { parsePrecision } from './precision.js';
import { parseQuantize } from './quantize-flag.js';

export async function score(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      ids: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: '32' },
      precision: { type: 'string' },
      quantize: { type: 'string' },
    },
  });
  if (values.model === undefined) throw new UsageError('--model DIR is required (transformer score --help)');
  const batchSize = integerFlag('--batch-size', values['batch-size'], 1);
  const precision = parsePrecision('--precision', values.precision);
  const quantize = parseQuantize(values.quantize);
  const { model, tokenizer } = await openModelFolder(values.model, { tokenizer: !values.ids, quantize });
  if (!(model instanceof EncoderDecoder || model instanceof DecoderOnly)) {
    throw new InputError(
      `score needs an encoder-decoder or decoder-only model; ${values.model} holds an ${model.config.kind} model`,
    );
  }
  if (!values.ids && tokenizer === null) {
    throw new UsageError(`${values.model} has no ${TOKENIZER_FILE}; pass --ids to score token ids`);
  }
  const lines = await allLines(process.stdin);
  const parse = lineParser(model, tokenizer);
  withPrecision(precision, () => {
    for (let start = 0; start < lines.length; start += batchSize) {
      const batch = lines.slice(start, start + batchSize).map((line, i) => parse(line, start + i + 1));
      const scored = model instanceof EncoderDecoder ? scoreTranslations(model, batch) : scoreSequences(model, batch);
      process.stdout.write(scored.map((s) => `${JSON.stringify(s)}\n`).join(''));
    }
  });
  return 0;
}

/** Turns line n into ids, with errors naming the line. */
function lineParser(
  model: EncoderDecoder | DecoderOnly,
  tokenizer: TextTokenizer | null,
): (line: string, n: number) => Example {
  const c = model.config;
  const translation = model instanceof EncoderDecoder;
  return (line, n) => {
    const fail = (problem: string): never => {
      throw new InputError(`${STDIN_NAME}:${n}: ${problem}`);
    };
    const fields = line.split('\t');
    if (translation && fields.length !== 2) fail(`expected SOURCE<TAB>TARGET, found ${fields.length - 1} tabs`);
    if (!translation && fields.length !== 1) fail('a decoder-only model reads one sequence per line, found a tab');
    const toIds = (text: string, vocabSize: number, what: string, bos: boolean): number[] => {
      if (tokenizer !== null) {
        // A Marian folder reads targets with its own SentencePiece model; ours share one tokenizer.
        const encode = what === 'target' && tokenizer.encodeTarget ? tokenizer.encodeTarget : tokenizer.encode;
        const ids = [...encode.call(tokenizer, text, { addBos: bos, addEos: true })];
        const bad = ids.find((id) => id >= vocabSize);
        if (bad !== undefined)
          fail(`the tokenizer gave id ${bad}, outside the model's ${what} vocabulary (0..${vocabSize - 1})`);
        return ids;
      }
      const ids = text
        .split(' ')
        .filter((f) => f !== '')
        .map((f) => {
          const id = /^\d+$/.test(f) ? Number(f) : NaN;
          if (!(id < vocabSize)) fail(`${what} token ${quote(f)} is not an id of the vocabulary (0..${vocabSize - 1})`);
          return id;
        });
      return [...ids, c.eosId];
    };
    const checkLength = (ids: number[], what: string) => {
      if (ids.length > c.maxLength) fail(`the ${what} has ${ids.length} tokens, more than maxLength ${c.maxLength}`);
    };
    if (translation) {
      const source = toIds(fields[0], c.sourceVocabSize, 'source', false);
      const target = toIds(fields[1], c.vocabSize, 'target', false);
      checkLength(source, 'source (with EOS)');
      checkLength(target, 'target (with EOS)');
      return { source, target };
    }
    const sequence = toIds(fields[0], c.vocabSize, 'sequence', true);
    if (sequence.length < 2) fail('the sequence is empty; its first token is context and only later ones are scored');
    checkLength(sequence.slice(0, -1), 'sequence (without its last token)');
    return { source: sequence.slice(0, -1), target: sequence.slice(1) };
  };
}
