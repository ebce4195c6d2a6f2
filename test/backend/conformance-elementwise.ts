// Conformance cases of the element-wise kernels, native against the js reference: broadcasting
// binary/where over strided views, copy and fill, axpy, unary ops and their gradients.

import assert from 'node:assert/strict';
import { BinaryOp, UnaryOp } from '../../src/backend/backend.js';
import {
  Rng,
  SIZES,
  assertClose,
  jsBackend,
  offsetInts,
  offsetView,
  type ConformanceCase,
} from './conformance-helpers.js';

export const elementwiseCases: ConformanceCase[] = [];

type Layout = 'dense' | 'broadcast' | 'transposed' | 'scalar';

interface Operand<T> {
  data: T;
  strides: Int32Array;
}

function denseStrides(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length).fill(0);
  let step = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= dims[d];
  }
  return strides;
}

/** Storage and strides for reading a `shape` operand laid out as `layout`. */
function layoutStrides(rng: Rng, shape: readonly number[], layout: Layout): { strides: number[]; size: number } {
  const rank = shape.length;
  if (layout === 'scalar') return { strides: new Array<number>(rank).fill(0), size: 1 };
  if (layout === 'transposed') {
    const reversed = [...shape].reverse();
    const strides = denseStrides(reversed).reverse();
    return { strides, size: shape.reduce((a, b) => a * b, 1) };
  }
  // Broadcast: a random non-empty subset of axes (or a fixed one for rank 1) is read with stride 0.
  const kept = shape.map((n) => (layout === 'broadcast' && rng.next() < 0.5 ? 1 : n));
  if (layout === 'broadcast' && kept.every((n, d) => n === shape[d]) && rank > 0) kept[0] = 1;
  const strides = denseStrides(kept).map((s, d) => (kept[d] === 1 ? 0 : s));
  return { strides, size: kept.reduce((a, b) => a * b, 1) };
}

function floatOperand(rng: Rng, shape: readonly number[], layout: Layout, lo = -2, hi = 2): Operand<Float32Array> {
  const { strides, size } = layoutStrides(rng, shape, layout);
  return { data: offsetView(rng.uniform(size, lo, hi)), strides: Int32Array.from(strides) };
}

function intOperand(rng: Rng, shape: readonly number[], layout: Layout): Operand<Int32Array> {
  const { strides, size } = layoutStrides(rng, shape, layout);
  return { data: offsetInts(rng.ints(size, -3, 3)), strides: Int32Array.from(strides) };
}

const SHAPES: readonly (readonly number[])[] = [
  [],
  [1],
  [7],
  [257],
  [33, 257],
  [257, 7],
  [7, 1, 33],
  [1, 33, 7, 1],
  [2, 1, 3, 1, 2, 3, 1, 5],
];
const LAYOUTS: readonly Layout[] = ['dense', 'broadcast', 'transposed', 'scalar'];
const OPS = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div];

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

elementwiseCases.push(
  {
    kernels: ['binary'],
    name: 'binary over every layout pair, every op, ranks 0 to 8',
    run: (native) => {
      const rng = new Rng(1);
      for (const shape of SHAPES) {
        const dims = Int32Array.from(shape);
        for (const la of LAYOUTS) {
          for (const lb of LAYOUTS) {
            const a = floatOperand(rng, shape, la);
            const b = floatOperand(rng, shape, lb, 0.5, 2); // away from 0 for Div
            for (const op of OPS) {
              const [got, want] = [native, jsBackend].map((be) => {
                const out = offsetView(new Float32Array(elementCount(shape)));
                be.binary(op, out, a.data, a.strides, b.data, b.strides, dims);
                return out;
              });
              assertClose(got, want, `binary op ${op} shape [${shape}] a ${la} b ${lb}`);
            }
          }
        }
      }
    },
  },

  {
    kernels: ['binary'],
    name: 'binary on arrays large enough to run threaded, with a row-vector broadcast',
    run: (native) => {
      const rng = new Rng(2);
      const shape = [1536, 257];
      const a = floatOperand(rng, shape, 'dense');
      const b = { data: rng.uniform(257), strides: Int32Array.from([0, 1]) };
      for (const op of OPS) {
        const [got, want] = [native, jsBackend].map((be) => {
          const out = new Float32Array(1536 * 257);
          be.binary(op, out, a.data, a.strides, b.data, b.strides, Int32Array.from(shape));
          return out;
        });
        assertClose(got, want, `threaded binary op ${op}`);
      }
    },
  },

  {
    kernels: ['where'],
    name: 'where over every layout',
    run: (native) => {
      const rng = new Rng(3);
      for (const shape of SHAPES) {
        for (const lc of LAYOUTS) {
          const cond = intOperand(rng, shape, lc);
          const a = floatOperand(rng, shape, LAYOUTS[Math.floor(rng.next() * 4)]);
          const b = floatOperand(rng, shape, LAYOUTS[Math.floor(rng.next() * 4)]);
          const [got, want] = [native, jsBackend].map((be) => {
            const out = new Float32Array(elementCount(shape));
            be.where(out, cond.data, cond.strides, a.data, a.strides, b.data, b.strides, Int32Array.from(shape));
            return out;
          });
          assertClose(got, want, `where shape [${shape}] cond ${lc}`, { rtol: 0, atol: 0 });
        }
      }
    },
  },

  {
    kernels: ['copy'],
    name: 'copy of float32 and int32 through transposed, broadcast and sliced strides, = and +=',
    run: (native) => {
      const rng = new Rng(4);
      for (const shape of SHAPES) {
        for (const layout of LAYOUTS) {
          for (const accumulate of [false, true]) {
            // The destination is a slice of a wider buffer: every row skips 3 trailing elements.
            const wide = shape.map((n, d) => (d === shape.length - 1 ? n + 3 : n));
            const dstStrides = Int32Array.from(denseStrides(wide));
            const dstSize = elementCount(wide);
            const src = floatOperand(rng, shape, layout);
            const srcInt = intOperand(rng, shape, layout);
            const initial = rng.uniform(dstSize);
            const initialInt = rng.ints(dstSize, -5, 5);
            const dims = Int32Array.from(shape);
            const [got, want] = [native, jsBackend].map((be) => {
              const dst = offsetView(initial.slice());
              be.copy(dst, dstStrides, src.data, src.strides, dims, accumulate);
              return dst;
            });
            assertClose(got, want, `copy f32 shape [${shape}] ${layout} acc ${accumulate}`);
            const [gotInt, wantInt] = [native, jsBackend].map((be) => {
              const dst = offsetInts(initialInt.slice());
              be.copy(dst, dstStrides, srcInt.data, srcInt.strides, dims, accumulate);
              return dst;
            });
            assert.deepEqual(gotInt, wantInt, `copy i32 shape [${shape}] ${layout} acc ${accumulate}`);
          }
        }
      }
    },
  },

  {
    kernels: ['fill', 'axpy'],
    name: 'fill and axpy, float32 and int32, including views and threaded lengths',
    run: (native) => {
      const rng = new Rng(5);
      for (const n of [...SIZES, 100_003]) {
        const [got, want] = [native, jsBackend].map((be) => {
          const f = offsetView(new Float32Array(n + 2));
          const i = offsetInts(new Int32Array(n + 2));
          be.fill(f, -1.25, n);
          be.fill(i, 42, n);
          return [f, i] as const;
        });
        assert.deepEqual(got, want, `fill n ${n}`);
        const x = offsetView(rng.uniform(n));
        const y = rng.uniform(n);
        const [gy, wy] = [native, jsBackend].map((be) => {
          const out = offsetView(y.slice());
          be.axpy(out, x, -0.37, n);
          return out;
        });
        assertClose(gy, wy, `axpy n ${n}`);
      }
    },
  },
);

/** Inputs in each op's domain, and the alphas worth testing. */
const UNARY_CASES: readonly { op: UnaryOp; lo: number; hi: number; alphas: number[] }[] = [
  { op: UnaryOp.Neg, lo: -3, hi: 3, alphas: [0] },
  { op: UnaryOp.Exp, lo: -30, hi: 30, alphas: [0] },
  { op: UnaryOp.Log, lo: 0.01, hi: 50, alphas: [0] },
  { op: UnaryOp.Sqrt, lo: 0.01, hi: 50, alphas: [0] },
  { op: UnaryOp.Tanh, lo: -5, hi: 5, alphas: [0] },
  { op: UnaryOp.Sigmoid, lo: -30, hi: 30, alphas: [0] },
  { op: UnaryOp.Relu, lo: -3, hi: 3, alphas: [0] },
  { op: UnaryOp.Gelu, lo: -6, hi: 6, alphas: [0] },
  { op: UnaryOp.Swish, lo: -20, hi: 20, alphas: [0] },
  { op: UnaryOp.Pow, lo: 0.1, hi: 3, alphas: [2, 0.5, 3, -1.5, 0] },
  { op: UnaryOp.Scale, lo: -3, hi: 3, alphas: [0.125, -7] },
  { op: UnaryOp.AddScalar, lo: -3, hi: 3, alphas: [0.5] },
];

elementwiseCases.push(
  {
    kernels: ['unary', 'unaryBackward'],
    name: 'unary and unaryBackward for every op at awkward and threaded lengths',
    run: (native) => {
      const rng = new Rng(6);
      for (const { op, lo, hi, alphas } of UNARY_CASES) {
        for (const alpha of alphas) {
          for (const n of [...SIZES, 70_001]) {
            const x = offsetView(rng.uniform(n, lo, hi));
            const dy = offsetView(rng.uniform(n));
            const [gy, wy] = [native, jsBackend].map((be) => {
              const y = new Float32Array(n);
              be.unary(op, y, x, n, alpha);
              return y;
            });
            // Gelu near its zero crossing and tanh/sigmoid differ in the last float32 bits only.
            assertClose(gy, wy, `unary ${op} alpha ${alpha} n ${n}`, { rtol: 2e-6, atol: 1e-7 });
            const [gd, wd] = [native, jsBackend].map((be) => {
              const dx = new Float32Array(n);
              be.unaryBackward(op, dx, x, wy, dy, n, alpha);
              return dx;
            });
            assertClose(gd, wd, `unaryBackward ${op} alpha ${alpha} n ${n}`, { rtol: 1e-5, atol: 1e-6 });
          }
        }
      }
    },
  },

  {
    kernels: ['unary'],
    name: 'unary in place (out === x)',
    run: (native) => {
      const rng = new Rng(7);
      const x = rng.uniform(257);
      const [got, want] = [native, jsBackend].map((be) => {
        const y = x.slice();
        be.unary(UnaryOp.Exp, y, y, 257, 0);
        return y;
      });
      assertClose(got, want, 'in-place exp', { rtol: 2e-6 });
    },
  },
);
