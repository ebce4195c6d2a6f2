// One place that turns an attention spec into its mechanism.

import { AdaptiveSpanAttention } from './adaptive-span.js';
import { FullAttention } from './full.js';
import { InducingPointAttention } from './inducing.js';
import { LinearAttention } from './linear.js';
import { LinformerAttention } from './linformer.js';
import type { AttentionMechanism, MechanismContext } from './mechanism.js';
import { PersistentMemoryAttention } from './persistent-memory.js';
import { PoolingAttention } from './pooling.js';
import { RoutingAttention } from './routing.js';
import { SparsePatternAttention } from './sparse.js';
import { AttentionSpecError, CAUSAL_KINDS, type AttentionSpec } from './spec.js';

export function createMechanism(spec: AttentionSpec, context: MechanismContext, where: string): AttentionMechanism {
  if (context.causal && !CAUSAL_KINDS.has(spec.kind))
    throw new AttentionSpecError(
      `${where}: "${spec.kind}" attention cannot be causal (a query would see later keys through the compressed sequence); use it in the encoder`,
    );
  switch (spec.kind) {
    case 'full':
      return new FullAttention();
    case 'local':
    case 'dilated':
    case 'strided':
    case 'block-global':
      return new SparsePatternAttention(spec, context);
    case 'routing':
      return new RoutingAttention(spec, context);
    case 'linear':
      return new LinearAttention(spec, context);
    case 'linformer':
      return new LinformerAttention(spec, context);
    case 'pooling':
      return new PoolingAttention(spec, context);
    case 'inducing':
      return new InducingPointAttention(spec, context);
    case 'adaptive-span':
      return new AdaptiveSpanAttention(spec, context);
    case 'persistent-memory':
      return new PersistentMemoryAttention(spec, context);
  }
}
