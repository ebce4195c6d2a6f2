// The paper's scaled dot-product attention over every key (section 3.2.1), on the fused kernel.

import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineKind, type KindTraits } from './kind.js';
import { AttentionMechanism, type AttendInputs, type AttendResult } from './mechanism.js';

export const full = defineKind({
  name: 'full',
  fields: {},
  causal: true,
  kvCache: true,
  create: (): AttentionMechanism => new FullAttention(),
});

/** (B, Tk) key padding as the (B, 1, 1, Tk) mask T.attention broadcasts. */
export function paddingAsMask(keyPadding: Tensor | null): Tensor | null {
  if (keyPadding === null) return null;
  const [B, Tk] = keyPadding.shape;
  return T.reshape(keyPadding, [B, 1, 1, Tk]);
}

export class FullAttention extends AttentionMechanism {
  readonly spec = { kind: 'full' } as const;
  readonly kind: KindTraits = full;

  attend(x: AttendInputs): AttendResult {
    const result = T.attention(x.q, x.k, x.v, {
      mask: paddingAsMask(x.keyPadding),
      causal: x.causal,
      dropout: x.dropout,
      training: x.training,
    });
    return { output: result.output, weights: x.needWeights ? result.weights : null };
  }
}
