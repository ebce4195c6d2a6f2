// Masks for attention: which keys a query may attend to (int32, non-zero = may attend).

import { Tensor } from '../tensor/tensor.js';

/** (B, 1, 1, S): 1 where ids (B, S) are not padding. */
export function paddingMask(ids: Tensor, padId: number): Tensor {
  const [B, S] = ids.shape;
  const values = ids.ints('ids');
  const mask = new Int32Array(B * S);
  for (let i = 0; i < mask.length; i++) mask[i] = values[i] === padId ? 0 : 1;
  return Tensor.from(mask, [B, 1, 1, S]);
}

/** (B, 1, 1, S): 1 for the first lengths[b] positions of each sequence. */
export function lengthsMask(lengths: ArrayLike<number>, S: number): Tensor {
  const mask = new Int32Array(lengths.length * S);
  for (let b = 0; b < lengths.length; b++) {
    if (!(lengths[b] >= 0 && lengths[b] <= S))
      throw new RangeError(`length ${lengths[b]} of sequence ${b} is not in [0, ${S}]`);
    mask.fill(1, b * S, b * S + lengths[b]);
  }
  return Tensor.from(mask, [lengths.length, 1, 1, S]);
}

/** (T, T): 1 where key j <= query i (the decoder's look-ahead mask, for code that wants it explicit). */
export function causalMask(T: number): Tensor {
  const mask = new Int32Array(T * T);
  for (let i = 0; i < T; i++) mask.fill(1, i * T, i * T + i + 1);
  return Tensor.from(mask, [T, T]);
}
