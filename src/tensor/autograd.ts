// Reverse-mode automatic differentiation: ops record a GradNode on their output; backward() walks
// the recorded graph from a scalar in reverse topological order, accumulating gradients.

import { Tensor, type GradNode } from './tensor.js';
import { backendFor } from '../backend/registry.js';
import { denseStrides, formatShape, sameShape } from './shape.js';

let gradEnabled = true;

/** False inside noGrad: operations then record nothing for backward. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the graph (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Records how to differentiate `out` if any input needs a gradient; returns out. */
export function record(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: (g: Tensor) => (Tensor | null)[],
): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradNode = { op, inputs, backward } satisfies GradNode;
  }
  return out;
}

/** Gradients flow through tensors that require them; a tensor whose node is gone is a leaf. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top[0].gradNode?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(top[0]);
      stack.pop();
    }
  }
  return order.reverse();
}

/**
 * Back-propagates from `root` (a one-element tensor unless `grad` is given). Leaf tensors that
 * require gradients accumulate into .grad (kept across tidy scopes; zero them between steps).
 * The graph is released as it is consumed, as PyTorch does without retain_graph.
 */
export function backward(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) throw new Error('backward(): the tensor does not require a gradient');
  if (grad === undefined && root.size !== 1) {
    throw new Error(`backward() without a gradient needs a one-element tensor, got ${formatShape(root.shape)}`);
  }
  const seed = grad ?? filled(root, 1);
  if (!sameShape(seed.shape, root.shape)) {
    throw new RangeError(`backward(): gradient ${formatShape(seed.shape)} does not match ${formatShape(root.shape)}`);
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  // How many pending gradients use each storage: a gradient buffer is freed once nothing needs it.
  // A caller's gradient is never written to or freed: it starts with one use that never ends.
  const uses = new Map<object, number>([[seed.storage, grad === undefined ? 1 : 2]]);
  const use = (t: Tensor, delta: number) => uses.set(t.storage, (uses.get(t.storage) ?? 0) + delta);
  noGrad(() => {
    for (const t of topologicalOrder(root)) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.gradNode;
      if (node === null) accumulateLeaf(t, g);
      else {
        const inputGrads = node.backward(g);
        t.gradNode = null;
        node.inputs.forEach((input, i) => {
          const gi = inputGrads[i];
          if (gi === null || gi === undefined || !input.requiresGrad) return;
          const previous = grads.get(input);
          if (previous === undefined) {
            grads.set(input, gi);
            use(gi, 1);
          } else {
            grads.set(input, addInto(previous, gi, uses));
          }
        });
      }
      use(g, -1);
      if (uses.get(g.storage) === 0) g.dispose();
    }
  });
}

function filled(like: Tensor, value: number): Tensor {
  const t = Tensor.empty(like.shape, like.dtype);
  backendFor(t.dtype).fill(t.dense(), value, t.size);
  return t;
}

/** dst += src for a dense dst and a src of the same shape with any strides. */
function accumulate(dst: Tensor, src: Tensor): void {
  const kernels = backendFor(dst.dtype);
  if (src.isContiguous()) {
    kernels.axpy(dst.floats(), src.floats(), 1, dst.size);
  } else {
    const shape = Int32Array.from(dst.shape);
    const srcData = src.storage.data.subarray(src.offset);
    kernels.copy(
      dst.dense(),
      Int32Array.from(denseStrides(dst.shape)),
      srcData,
      Int32Array.from(src.strides),
      shape,
      true,
    );
  }
}

function freshCopy(src: Tensor): Tensor {
  const out = Tensor.empty(src.shape, src.dtype);
  backendFor(out.dtype).fill(out.dense(), 0, out.size);
  accumulate(out, src);
  return out;
}

/** previous + gi: in place when previous is a dense buffer no other pending gradient shares. */
function addInto(previous: Tensor, gi: Tensor, uses: Map<object, number>): Tensor {
  const count = (t: Tensor) => uses.get(t.storage) ?? 0;
  let sum = previous;
  if (count(previous) !== 1 || !previous.isContiguous() || previous.storage === gi.storage) {
    sum = freshCopy(previous);
    uses.set(previous.storage, count(previous) - 1);
    uses.set(sum.storage, count(sum) + 1);
    if (count(previous) === 0) previous.dispose();
  }
  accumulate(sum, gi);
  if (count(gi) === 0) gi.dispose();
  return sum;
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (!sameShape(g.shape, leaf.shape)) {
    throw new Error(`internal: gradient ${formatShape(g.shape)} for a leaf of shape ${formatShape(leaf.shape)}`);
  }
  if (leaf.grad === null) {
    leaf.grad = Tensor.empty(leaf.shape, leaf.dtype).keep();
    backendFor(leaf.dtype).fill(leaf.grad.dense(), 0, leaf.size);
  }
  accumulate(leaf.grad, g);
}

declare module './tensor.js' {
  interface Tensor {
    /** Back-propagates from this tensor: see backward(). */
    backward(grad?: Tensor): void;
  }
}

Tensor.prototype.backward = function (this: Tensor, grad?: Tensor): void {
  backward(this, grad);
};
