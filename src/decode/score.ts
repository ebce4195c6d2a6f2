// Forced decoding: the log-probability of every token of given outputs under a model (what
// `transformer score` prints). Encoder-decoder: the decoder reads each target shifted right behind
// bosId; decoder-only: position t reads the sequence up to t and predicts the token after it.

import type { DecoderOnly } from '../model/decoder-only.js';
import { shiftRight, type EncoderDecoder } from '../model/encoder-decoder.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';

/** The scores of one example: its target tokens and their log-probabilities. */
export interface Scored {
  tokens: number[];
  logprobs: number[];
  sum: number;
}

/** One example as ids: the model reads `source` (a source sentence, or a sequence's context) and scores `target`. */
export interface ScoreExample {
  source: number[];
  target: number[];
}

/** Rows padded with padId into one (B, L) int32 tensor. */
function padded(rows: number[][], padId: number): Tensor {
  const L = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * L).fill(padId);
  rows.forEach((r, b) => ids.set(r, b * L));
  return Tensor.from(ids, [rows.length, L]);
}

/** log p(target[b][t] | ...) read from the log-softmax of logits (B, L, V). */
function gather(logits: Tensor, batch: ScoreExample[]): Scored[] {
  const [, L, V] = logits.shape;
  const logp = T.contiguous(T.logSoftmax(logits, -1)).floats('log-probabilities'); // (B, L, V)
  return batch.map(({ target }, b) => {
    const logprobs = target.map((id, t) => logp[(b * L + t) * V + id]);
    return { tokens: target, logprobs, sum: logprobs.reduce((s, x) => s + x, 0) };
  });
}

/** Encoder-decoder: the decoder reads each target shifted right behind the decoder-start token. */
export function scoreTranslations(model: EncoderDecoder, batch: ScoreExample[]): Scored[] {
  const { padId, bosId } = model.config;
  return tidy(() =>
    T.noGrad(() => {
      const target = padded(
        batch.map((e) => e.target),
        padId,
      ); // (B, L)
      const logits = model.forward(
        padded(
          batch.map((e) => e.source),
          padId,
        ),
        shiftRight(target, bosId),
      ); // (B, L, V)
      return gather(logits, batch);
    }),
  );
}

/** Decoder-only: position t reads the sequence up to t and predicts the token after it. */
export function scoreSequences(model: DecoderOnly, batch: ScoreExample[]): Scored[] {
  return tidy(() =>
    T.noGrad(() =>
      gather(
        model.forward(
          padded(
            batch.map((e) => e.source),
            model.config.padId,
          ),
        ),
        batch,
      ),
    ),
  );
}
