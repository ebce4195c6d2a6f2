// The attention kinds, each declared in its own file (see kind.ts), and the one place that turns a
// spec into its mechanism.

import { adaptiveSpan } from './adaptive-span.js';
import { full } from './full.js';
import { inducing } from './inducing.js';
import { AttentionSpecError, type KindTraits } from './kind.js';
import { linear } from './linear.js';
import { linformer } from './linformer.js';
import type { AttentionMechanism, MechanismContext } from './mechanism.js';
import { persistentMemory } from './persistent-memory.js';
import { pooling } from './pooling.js';
import { routing } from './routing.js';
import { blockGlobal, dilated, local, strided } from './sparse.js';

/** Every kind, in the order error messages list them: the paper's first. */
export const KINDS = [
  full,
  local,
  dilated,
  strided,
  blockGlobal,
  routing,
  linear,
  linformer,
  pooling,
  inducing,
  adaptiveSpan,
  persistentMemory,
] as const;

/** The declaration of the kind called `name`, or undefined. */
export function attentionKind(name: unknown): KindTraits | undefined {
  return KINDS.find((kind) => kind.name === name);
}

/** The mechanism of a spec (defaults filled in), refused when the layer is causal and the kind cannot be. */
export function createMechanism(
  spec: { readonly kind: string },
  context: MechanismContext,
  where: string,
): AttentionMechanism {
  const kind = attentionKind(spec.kind);
  if (kind === undefined) throw new AttentionSpecError(`${where}: unknown attention kind "${spec.kind}"`);
  if (context.causal && !kind.causal)
    throw new AttentionSpecError(
      `${where}: "${spec.kind}" attention cannot be causal (a query would see later keys through the compressed sequence); use it in the encoder`,
    );
  return kind.create(kind.settle(spec, where), context);
}
