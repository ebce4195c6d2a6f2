// Prompts of different lengths as one batch for a language model: left-padded, so that every prompt
// ends at the same column and the next token of each is read off the last column; the padding mask
// given to the model's step keeps pads out of attention and out of the rows' positions, so a prompt
// decodes in a batch exactly as it decodes alone.

import type { DecoderOnly, LanguageModelState } from '../model/decoder-only.js';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { nanToMinusInfinity } from './search.js';

/** Every prompt has 1 to maxLength tokens. */
export function checkPrompts(model: DecoderOnly, prompts: readonly (readonly number[])[]): void {
  prompts.forEach((p, i) => {
    if (p.length === 0 || p.length > model.config.maxLength)
      throw new RangeError(`prompt ${i} has ${p.length} tokens; it needs 1 to ${model.config.maxLength}`);
  });
}

/** Prompts left-padded with padId into tokens (B, L), and padding (B, L) int32 (0 at a pad), null when none is padded. */
export function leftPadded(
  prompts: readonly (readonly number[])[],
  padId: number,
): { tokens: Tensor; padding: Tensor | null } {
  const L = Math.max(...prompts.map((p) => p.length));
  const ids = new Int32Array(prompts.length * L).fill(padId);
  const real = new Int32Array(prompts.length * L);
  prompts.forEach((p, b) => {
    ids.set(p, b * L + L - p.length);
    real.fill(1, b * L + L - p.length, (b + 1) * L);
  });
  const padded = prompts.some((p) => p.length < L);
  return {
    tokens: Tensor.from(ids, [prompts.length, L]),
    padding: padded ? Tensor.from(real, [prompts.length, L]) : null,
  };
}

/**
 * One step of the model on tokens (B, t) -> the scores (B * V, row-major) of the token after the last
 * column: its logits, or with `logprobs` its log-probabilities. A NaN reads as -Infinity.
 */
export function nextScores(
  model: DecoderOnly,
  state: LanguageModelState,
  tokens: Tensor,
  padding: Tensor | null,
  logprobs = false,
): Float32Array {
  return tidy(() => {
    const all = model.step(state, tokens, padding); // (B, t, V)
    const t = all.shape[1];
    const last = T.slice(all, 1, t - 1, t); // (B, 1, V)
    const scores = logprobs ? T.logSoftmax(last, -1) : T.contiguous(last);
    return nanToMinusInfinity(Float32Array.from(scores.floats('logits')));
  });
}

/** The tokens of step 2 on: each row's last token (B, 1). */
export function lastTokens(rows: readonly (readonly number[])[]): Tensor {
  return Tensor.from(
    Int32Array.from(rows, (r) => r.at(-1)!),
    [rows.length, 1],
  );
}
