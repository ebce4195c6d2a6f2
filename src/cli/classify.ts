// `transformer classify --model DIR`: the label of each text line (standard input or --input) from an
// encoder-only sequence classifier, one per line in order; --json adds every label's probability. The
// input may be a TSV with a header (LRA's `Source<TAB>Target`, our `text<TAB>label`: the label column is
// ignored) or plain lines.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encodeText } from '../train/encoder-examples.js';
import { textsToClassify } from '../data/labelled-text.js';
import { STDIN_NAME, allLines, textLines } from '../data/lines.js';
import { InputError } from '../errors.js';
import { loadModel, loadTokenizer, TOKENIZER_FILE } from '../io/model-folder.js';
import { EncoderOnly } from '../model/index.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { integerFlag, UsageError } from './flags.js';

export async function classify(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      json: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: '32' },
    },
  });
  if (values.model === undefined) throw new UsageError('--model DIR is required (transformer classify --help)');
  const batchSize = integerFlag('--batch-size', values['batch-size'], 1);
  const { model, tokenizer } = await openEncoder(values.model, 'sequence-classification', 'classify');
  const lines =
    values.input === undefined
      ? await allLines(process.stdin, STDIN_NAME)
      : textLines(readFileSync(values.input), values.input);
  const texts = textsToClassify(lines);
  const names = Array.from(
    { length: model.config.numLabels },
    (_, id) => model.config.id2label[String(id)] ?? String(id),
  );
  for (let start = 0; start < texts.length; start += batchSize) {
    const probabilities = classifyBatch(model, tokenizer, texts.slice(start, start + batchSize));
    const out = probabilities.map((p) => {
      const best = p.indexOf(Math.max(...p));
      if (!values.json) return names[best];
      const all = Object.fromEntries(names.map((name, id) => [name, Number(p[id].toFixed(6))]));
      return JSON.stringify({ label: names[best], probabilities: all });
    });
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return 0;
}

/** The model folder's encoder-only model with the head a command needs, and its tokenizer. */
export async function openEncoder(
  dir: string,
  head: string,
  command: string,
): Promise<{ model: EncoderOnly; tokenizer: Tokenizer }> {
  const model = await loadModel(dir);
  if (!(model instanceof EncoderOnly) || model.config.head !== head)
    throw new InputError(
      `${command} needs an encoder-only model with a ${head} head; ${dir} holds ${model.config.kind === 'encoder-only' ? `a ${model.config.head} head` : `an ${model.config.kind} model`}`,
    );
  const tokenizer = await loadTokenizer(dir);
  if (tokenizer === null) throw new InputError(`${dir}: no ${TOKENIZER_FILE}; ${command} reads text`);
  return { model, tokenizer };
}

/** Class probabilities of each text, in eval mode. */
export function classifyBatch(model: EncoderOnly, tokenizer: Tokenizer, texts: readonly string[]): number[][] {
  const rows = texts.map((t) => encodeText(tokenizer, t, model.config.maxLength).ids);
  const S = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * S).fill(model.config.padId); // (B, S)
  rows.forEach((r, b) => ids.set(r, b * S));
  return T.noGrad(() =>
    tidy(() => {
      const p = T.softmax(model.forward(Tensor.from(ids, [rows.length, S]))).floats(); // (B, C)
      const C = model.config.numLabels;
      return rows.map((_, b) => Array.from(p.subarray(b * C, (b + 1) * C)));
    }),
  );
}
