// `transformer fill-mask --model DIR`: for each line holding the mask token (<mask>), the K most probable
// fillers of each mask with their probabilities, from an encoder-only masked-LM. One output line per input
// line: `filler (p) filler (p) ...`, masks separated by " | "; --json writes the same as JSON.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { STDIN_NAME, allLines, textLines } from '../data/lines.js';
import { InputError } from '../errors.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { BOS_ID } from '../tokenizer/vocab.js';
import { openEncoder } from './classify.js';
import { MASK_TOKEN } from '../tokenizer/vocab.js';
import { maskId } from './encoder-setup.js';
import { integerFlag, UsageError } from './flags.js';

export async function fillMask(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      'top-k': { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.model === undefined) throw new UsageError('--model DIR is required (transformer fill-mask --help)');
  const k = integerFlag('--top-k', values['top-k'], 1);
  const { model, tokenizer } = await openEncoder(values.model, 'masked-lm', 'fill-mask');
  const mask = maskId(tokenizer, values.model);
  const name = values.input ?? STDIN_NAME;
  const lines = values.input === undefined ? await allLines(process.stdin, name) : textLines(readFileSync(name), name);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const ids = Int32Array.of(BOS_ID, ...tokenizer.encode(line, { allowSpecial: true }));
    if (ids.length > model.config.maxLength)
      throw new InputError(
        `${name}:${i + 1}: ${ids.length} tokens, above the model's maxLength ${model.config.maxLength}`,
      );
    const positions = [...ids.keys()].filter((p) => ids[p] === mask);
    if (positions.length === 0) throw new InputError(`${name}:${i + 1}: no ${MASK_TOKEN} token in the line`);
    const fillers = T.noGrad(() =>
      tidy(() => {
        const V = model.config.vocabSize;
        const p = T.softmax(model.forward(Tensor.from(ids, [1, ids.length]))).floats(); // (1, S, V)
        return positions.map((pos) => {
          const row = p.subarray(pos * V, (pos + 1) * V);
          const order = [...row.keys()].filter((id) => id < tokenizer.vocabSize).sort((a, b) => row[b] - row[a]);
          return order
            .slice(0, k)
            .map((id) => ({ token: tokenizer.decode([id]).trim() || tokenizer.idToPiece(id), score: row[id] }));
        });
      }),
    );
    if (values.json) console.log(JSON.stringify({ line: i + 1, masks: fillers }));
    else console.log(fillers.map((f) => f.map((c) => `${c.token} (${c.score.toFixed(4)})`).join(' ')).join(' | '));
  });
  return 0;
}
