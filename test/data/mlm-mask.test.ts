// BERT's corruption, measured: about 15% of the ordinary tokens are chosen, of those 80% become the mask,
// 10% a random ordinary token and 10% stay; control and special tokens are never chosen; the labels hold
// the original ids exactly where a token was chosen.

import test from 'node:test';
import assert from 'node:assert/strict';
import { IGNORE_LABEL } from '../../src/data/encoder-batches.js';
import { maskTokens } from '../../src/data/mlm-mask.js';
import { Generator } from '../../src/tensor/random.js';

test('masked-LM corruption follows 15% and 80/10/10, and leaves special tokens alone', () => {
  const n = 200_000;
  const source = new Generator(3);
  const ids = Int32Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 5 + (source.nextUint32() % 5000)));
  const o = { maskId: 4, firstOrdinaryId: 5, vocabSize: 5005, probability: 0.15 };
  const { input, labels } = maskTokens(ids, new Generator(11), o);
  let chosen = 0;
  let masked = 0;
  let replaced = 0;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (ids[i] === 1) {
      assert.equal(labels[i], IGNORE_LABEL);
      assert.equal(input[i], 1);
      continue;
    }
    if (labels[i] === IGNORE_LABEL) {
      assert.equal(input[i], ids[i]);
      continue;
    }
    assert.equal(labels[i], ids[i]);
    chosen++;
    if (input[i] === o.maskId) masked++;
    else if (input[i] === ids[i]) kept++;
    else {
      assert.ok(input[i] >= o.firstOrdinaryId && input[i] < o.vocabSize);
      replaced++;
    }
  }
  const ordinary = n - n / 10;
  // Binomial standard deviations: sqrt(0.15 * 0.85 / 180000) ~ 0.0008; sqrt(0.1 * 0.9 / 27000) ~ 0.002.
  assert.ok(Math.abs(chosen / ordinary - 0.15) < 0.004, `chosen ${chosen / ordinary}`);
  assert.ok(Math.abs(masked / chosen - 0.8) < 0.01, `masked ${masked / chosen}`);
  assert.ok(Math.abs(replaced / chosen - 0.1) < 0.01, `replaced ${replaced / chosen}`);
  assert.ok(Math.abs(kept / chosen - 0.1) < 0.01, `kept ${kept / chosen}`);
});
