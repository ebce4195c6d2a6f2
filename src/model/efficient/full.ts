// The paper's scaled dot-product attention over every key (section 3.2.1), on the fused kernel.

import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { AttentionMechanism, type AttendInputs, type AttendResult } from './mechanism.js';
import type { AttentionSpec } from './spec.js';

/** (B, Tk) key padding as the (B, 1, 1, Tk) mask T.attention broadcasts. */
export function paddingAsMask(keyPadding: Tensor | null): Tensor | null {
  if (keyPadding === null) return null;
  const [B, Tk] = keyPadding.shape;
  return T.reshape(keyPadding, [B, 1, 1, Tk]);
}

export class FullAttention extends AttentionMechanism {
  readonly spec: AttentionSpec = { kind: 'full' };

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
