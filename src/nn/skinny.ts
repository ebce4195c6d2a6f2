// The inference path of a weight used as x W^T: while a module runs in eval mode with gradients off
// (decoding), products of a few rows (one token per sentence and beam) read the weight packed once
// (T.packWeight) instead of the general matmul, which packs the whole weight again at every call.

import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** Rows up to which the packed product beats the general one (beam 4 x 32 sentences). */
export const SKINNY_ROWS = 128;

/**
 * The packed copy of one weight, built on first use. It is dropped by drop() (modules call it from
 * train() and eval(), so switching modes after changing weights rebuilds it), and rebuilt when the
 * weight tensor's buffer is no longer the one it was packed from.
 */
export class SkinnyWeight {
  private packed: T.PackedWeight | null = null;
  private source: ArrayLike<number> | null = null;

  /** x (..., K) W^T (+ bias) through the packed weight when the skinny path applies, else null. */
  matmul(x: Tensor, weight: Tensor, training: boolean, bias: Tensor | null = null): Tensor | null {
    if (training || T.isGradEnabled() || x.dtype !== 'float32' || weight.dtype !== 'float32') return null;
    if (x.size / x.shape[x.rank - 1] > SKINNY_ROWS) return null;
    if (bias !== null && bias.dtype !== 'float32') return null;
    return T.matmulPacked(x, this.packedFor(weight), bias);
  }

  /** The packed copy of `weight`, packed now if it is missing or stale. */
  packedFor(weight: Tensor): T.PackedWeight {
    const data = weight.storage.data;
    if (this.packed === null || this.source !== data || weight.disposed) {
      this.drop();
      this.packed = T.tidy(() => T.packWeight(weight));
      this.packed.packed.keep();
      this.source = data;
    }
    return this.packed;
  }

  drop(): void {
    this.packed?.packed.dispose();
    this.packed = null;
    this.source = null;
  }
}
