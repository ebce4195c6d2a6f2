// Greedy decoding that never stops at EOS: every sentence gets exactly `tokens` target tokens, so a
// benchmark times the same work on every run (`transformer bench decode`, bench/decode-vs-torch).

import type { EncoderDecoder } from '../model/index.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { argmax } from './greedy.js';

/** Encodes the sources and appends the argmax token `tokens` times, as greedy search does, never stopping. */
export function decodeFixedLength(model: EncoderDecoder, source: Tensor, tokens: number): Int32Array {
  const B = source.shape[0];
  const V = model.config.vocabSize;
  const out = new Int32Array(B * tokens);
  T.noGrad(() => {
    const state = tidy(() => model.startDecoding(source, { positions: tokens }));
    let next = new Int32Array(B).fill(model.config.bosId);
    for (let t = 0; t < tokens; t++) {
      next = tidy(() => {
        const logits = model.step(state, Tensor.from(next, [B, 1])).floats('logits'); // (B, 1, V)
        return Int32Array.from({ length: B }, (_, b) => argmax(logits.subarray(b * V, (b + 1) * V)));
      });
      next.forEach((id, b) => (out[b * tokens + t] = id));
    }
    model.endDecoding(state);
  });
  return out;
}
