// A tiny encoder-decoder trained for a few hundred steps to copy its source, so that decoding
// tests see peaked, non-trivial distributions (a random model mostly repeats one token).

import { createModel, makeConfig, shiftRight, type EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Generator } from '../../src/tensor/random.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { Adam } from '../../src/train/adam.js';

/** Random sources of symbols 3..V-1, lengths in [minLength, maxLength], each ending in EOS (2). */
export function randomSources(n: number, seed: number, minLength = 2, maxLength = 7, V = 13): number[][] {
  const g = new Generator(seed);
  return Array.from({ length: n }, () => {
    const L = minLength + Math.floor(g.uniform() * (maxLength - minLength + 1));
    return [...Array.from({ length: L }, () => 3 + Math.floor(g.uniform() * (V - 3))), 2];
  });
}

const padded = (rows: number[][]) => {
  const L = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * L);
  rows.forEach((r, b) => ids.set(r, b * L));
  return Tensor.from(ids, [rows.length, L]);
};

export function trainCopyModel(steps = 300, seed = 7): EncoderDecoder {
  T.manualSeed(seed);
  const model = createModel(makeConfig('tiny', { dModel: 32, dFF: 64 })) as EncoderDecoder;
  const optimizer = new Adam(model.parameters(), { lr: 3e-3 });
  for (let step = 0; step < steps; step++) {
    tidy(() => {
      const batch = randomSources(32, seed * 1000 + step);
      const source = padded(batch);
      const logits = model.forward(source, shiftRight(source, model.config.bosId));
      const loss = T.crossEntropy(logits, source, { ignoreIndex: model.config.padId });
      optimizer.zeroGrad();
      loss.backward();
      optimizer.update();
    });
  }
  return model.eval();
}
