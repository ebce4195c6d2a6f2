// The wasm face of gemm, the element-wise kernels and the reductions: each checks its arguments
// as native/napi/{gemm,elementwise,reduce}.cc do, places the arrays in the heap and calls the C
// function of native/wasm/glue.cc.

import type { KernelName } from '../backend.js';
import { Args } from './args.js';
import { packedSize } from '../decoding-kernels.js';
import type { Heap } from './heap.js';

export type Kernel = (...args: unknown[]) => void;
export type Kernels = Partial<Record<KernelName, Kernel>>;

const MAX_RANK = 8; // kMaxRank of native/kernels/strided.h
const BINARY_OPS = 4;
const UNARY_OPS = 12;
const REDUCE_OPS = 2;

/** An integer in [0, 2^31): gemm's dimensions and strides. */
function dim(a: Args, i: number, name: string): number {
  const x = a.number(a.value(i), name);
  if (!(x >= 0 && x <= 2147483647 && Number.isInteger(x)))
    a.fail(true, name, `must be an integer in [0, 2^31), got ${x}`);
  return x;
}

/** The Float32Array at i, checked to hold `batch` matrices of `size` elements `stride` apart. */
function matrices(a: Args, i: number, name: string, size: number, stride: number, batch: number): Float32Array {
  const need = batch === 0 || size === 0 ? 0 : (batch - 1) * stride + size;
  const data = a.f32(i, name, 0);
  if (data.length < need)
    a.fail(true, name, `has ${data.length} elements, ${batch} matrices of ${size} with stride ${stride} need ${need}`);
  return data;
}

function shapeArg(a: Args, i: number): Int32Array {
  const shape = a.i32(i, 'shape', 0);
  if (shape.length > MAX_RANK) a.fail(true, 'shape', `has rank ${shape.length} > ${MAX_RANK}`);
  if (shape.some((d) => d < 0)) a.fail(true, 'shape', 'has a negative dimension');
  return shape;
}

/** The strides at `st` of an operand over `shape`, and the operand at `arr`, long enough for them. */
function strided(a: Args, arr: number, st: number, name: string, shape: Int32Array, int = false) {
  const strides = a.i32(st, `${name}Strides`, shape.length);
  let reach = shape.some((d) => d === 0) ? 0 : 1;
  for (let d = 0; d < shape.length; d++) if (strides[d] < 0) a.fail(true, `${name}Strides`, 'has a negative stride');
  for (let d = 0; d < shape.length && reach > 0; d++) reach += (shape[d] - 1) * strides[d];
  return { data: int ? a.i32(arr, name, reach) : a.f32(arr, name, reach), strides };
}

function shapeSize(a: Args, shape: Int32Array): number {
  let n = 1;
  for (const d of shape) n = a.mul('shape', n, d);
  return n;
}

/**
 * The scalars of gemm's argument list (gemm and gemmBf16 share it):
 * (transA, transB, M, N, K, alpha, a, strideA, b, strideB, beta, c, strideC, batch), and the element
 * count `batch` matrices of `size` elements `stride` apart reach.
 */
function gemmScalars(a: Args, v: unknown[]) {
  const g = {
    transA: a.flag(v[0], 'transA'),
    transB: a.flag(v[1], 'transB'),
    M: dim(a, 2, 'M'),
    N: dim(a, 3, 'N'),
    K: dim(a, 4, 'K'),
    strideA: dim(a, 7, 'strideA'),
    strideB: dim(a, 9, 'strideB'),
    strideC: dim(a, 12, 'strideC'),
    batch: dim(a, 13, 'batch'),
    alpha: a.number(v[5], 'alpha'),
    beta: a.number(v[10], 'beta'),
  };
  const reach = (size: number, stride: number) => (g.batch === 0 || size === 0 ? 0 : (g.batch - 1) * stride + size);
  return { ...g, reach };
}

export function denseKernels(heap: Heap): Kernels {
  const m = heap.module;
  return {
    gemm(...v) {
      const a = new Args('gemm', v);
      const { transA, transB, M, N, K, strideA, strideB, strideC, batch, alpha, beta } = gemmScalars(a, v);
      const A = matrices(a, 6, 'a', M * K, strideA, batch);
      const B = matrices(a, 8, 'b', K * N, strideB, batch);
      const C = matrices(a, 11, 'c', M * N, strideC, batch);
      const c = heap.call();
      const pc = c.out(C),
        pa = c.in(A),
        pb = c.in(B);
      c.run(() => m._tt_gemm(+transA, +transB, M, N, K, alpha, pa, strideA, pb, strideB, beta, pc, strideC, batch));
    },

    packPanels(...v) {
      const a = new Args('packPanels', v);
      const transB = a.flag(v[0], 'transB');
      const K = dim(a, 1, 'K'),
        N = dim(a, 2, 'N');
      const B = matrices(a, 3, 'b', K * N, 0, 1);
      const P = matrices(a, 4, 'packed', packedSize(K, N), 0, 1);
      const c = heap.call();
      const pp = c.out(P),
        pb = c.in(B);
      c.run(() => m._tt_pack_panels(+transB, K, N, pb, pp));
    },

    // gemmPacked(M, N, K, a, packed, c, bias?): C (M x N) = A (M x K) @ the panels packPanels wrote (+ bias).
    gemmPacked(...v) {
      const a = new Args('gemmPacked', v);
      const M = dim(a, 0, 'M'),
        N = dim(a, 1, 'N'),
        K = dim(a, 2, 'K');
      const A = matrices(a, 3, 'a', M * K, 0, 1);
      const P = matrices(a, 4, 'packed', packedSize(K, N), 0, 1);
      const C = matrices(a, 5, 'c', M * N, 0, 1);
      const bias = a.f32OrNull(6, 'bias', N);
      const c = heap.call();
      const pc = c.out(C),
        pa = c.in(A),
        pp = c.in(P),
        pb = c.in(bias);
      c.run(() => m._tt_gemm_packed(M, N, K, pa, pp, pc, pb));
    },

    gemmBf16(...v) {
      const a = new Args('gemmBf16', v);
      const { transA, transB, M, N, K, strideA, strideB, strideC, batch, alpha, beta, reach } = gemmScalars(a, v);
      const A = a.f32OrBf16(6, 'a', reach(M * K, strideA));
      const B = a.f32OrBf16(8, 'b', reach(K * N, strideB));
      const C = matrices(a, 11, 'c', M * N, strideC, batch);
      const c = heap.call();
      const pc = c.out(C),
        pa = c.in(A),
        pb = c.in(B);
      const aBf16 = +(A instanceof Uint16Array),
        bBf16 = +(B instanceof Uint16Array);
      c.run(() =>
        m._tt_gemm_bf16(
          +transA,
          +transB,
          M,
          N,
          K,
          alpha,
          pa,
          aBf16,
          strideA,
          pb,
          bBf16,
          strideB,
          beta,
          pc,
          strideC,
          batch,
        ),
      );
    },

    castBf16(...v) {
      const a = new Args('castBf16', v);
      const n = a.count(v[2], 'n');
      const out = a.u16(0, 'out', n),
        x = a.f32(1, 'x', n);
      const c = heap.call();
      const po = c.out(out),
        px = c.in(x);
      c.run(() => m._tt_cast_bf16(po, px, n));
    },

    binary(...v) {
      const a = new Args('binary', v);
      const op = a.op(0, BINARY_OPS);
      const shape = shapeArg(a, 6);
      const x = strided(a, 2, 3, 'a', shape),
        y = strided(a, 4, 5, 'b', shape);
      const out = a.f32(1, 'out', shapeSize(a, shape));
      const c = heap.call();
      const p = [c.out(out), c.in(x.data), c.in(x.strides), c.in(y.data), c.in(y.strides), c.in(shape)];
      c.run(() => m._tt_binary(op, ...p, shape.length));
    },

    where(...v) {
      const a = new Args('where', v);
      const shape = shapeArg(a, 7);
      const cond = strided(a, 1, 2, 'cond', shape, true),
        x = strided(a, 3, 4, 'a', shape),
        y = strided(a, 5, 6, 'b', shape);
      const out = a.f32(0, 'out', shapeSize(a, shape));
      const c = heap.call();
      const p = [c.out(out), c.in(cond.data), c.in(cond.strides), c.in(x.data), c.in(x.strides), c.in(y.data)];
      const q = [c.in(y.strides), c.in(shape)];
      c.run(() => m._tt_where(...p, ...q, shape.length));
    },

    unary(...v) {
      const a = new Args('unary', v);
      const op = a.op(0, UNARY_OPS);
      const n = a.count(v[3], 'n');
      const out = a.f32(1, 'out', n),
        x = a.f32(2, 'x', n),
        alpha = a.number(v[4], 'alpha');
      const c = heap.call();
      const po = c.out(out),
        px = out === x ? po : c.in(x);
      c.run(() => m._tt_unary(op, po, px, n, alpha));
    },

    unaryBackward(...v) {
      const a = new Args('unaryBackward', v);
      const op = a.op(0, UNARY_OPS);
      const n = a.count(v[5], 'n');
      const arrays = [a.f32(1, 'dx', n), a.f32(2, 'x', n), a.f32(3, 'y', n), a.f32(4, 'dy', n)];
      const alpha = a.number(v[6], 'alpha');
      const c = heap.call();
      const [dx, x, y, dy] = arrays.map((arr, i) => (i === 0 ? c.out(arr) : c.in(arr)));
      c.run(() => m._tt_unary_backward(op, dx, x, y, dy, n, alpha));
    },

    copy(...v) {
      const a = new Args('copy', v);
      const shape = shapeArg(a, 4);
      const accumulate = a.flag(v[5], 'accumulate');
      const int = a.isInt32(0, 'dst');
      const dst = strided(a, 0, 1, 'dst', shape, int),
        src = strided(a, 2, 3, 'src', shape, int);
      const c = heap.call();
      const p = [c.out(dst.data), c.in(dst.strides), c.in(src.data), c.in(src.strides), c.in(shape)];
      c.run(() => (int ? m._tt_copy_i32 : m._tt_copy_f32)(...p, shape.length, +accumulate));
    },

    fill(...v) {
      const a = new Args('fill', v);
      const n = a.count(v[2], 'n');
      const int = a.isInt32(0, 'out');
      const out = int ? a.i32(0, 'out', n) : a.f32(0, 'out', n);
      const value = int ? a.int32(v[1], 'value') : a.number(v[1], 'value');
      const c = heap.call();
      const p = c.out(out);
      c.run(() => (int ? m._tt_fill_i32 : m._tt_fill_f32)(p, value, n));
    },

    axpy(...v) {
      const a = new Args('axpy', v);
      const n = a.count(v[3], 'n');
      const y = a.f32(0, 'y', n),
        x = a.f32(1, 'x', n),
        alpha = a.number(v[2], 'alpha');
      const c = heap.call();
      const py = c.out(y),
        px = c.in(x);
      c.run(() => m._tt_axpy(py, px, alpha, n));
    },

    reduce(...v) {
      const a = new Args('reduce', v);
      const op = a.op(0, REDUCE_OPS);
      const outer = a.count(v[4], 'outer'),
        size = a.count(v[5], 'size'),
        inner = a.count(v[6], 'inner');
      const nOut = a.mul('inner', outer, inner),
        nIn = a.mul('size', nOut, size);
      const out = a.f32(1, 'out', nOut),
        argmax = a.i32OrNull(2, 'argmax', nOut),
        x = a.f32(3, 'x', nIn);
      const c = heap.call();
      const p = [c.out(out), c.out(argmax), c.in(x)];
      c.run(() => m._tt_reduce(op, ...p, outer, size, inner));
    },

    maxBackward(...v) {
      const a = new Args('maxBackward', v);
      const outer = a.count(v[3], 'outer'),
        size = a.count(v[4], 'size'),
        inner = a.count(v[5], 'inner');
      const nOut = a.mul('inner', outer, inner),
        nIn = a.mul('size', nOut, size);
      const argmax = a.i32(2, 'argmax', nOut);
      if (size === 0) return; // dx is empty: there is nothing to route the gradient to
      a.indices('argmax', argmax, nOut, size);
      const dx = a.f32(0, 'dx', nIn),
        dy = a.f32(1, 'dy', nOut);
      const c = heap.call();
      const p = [c.out(dx), c.in(dy), c.in(argmax)];
      c.run(() => m._tt_max_backward(...p, outer, size, inner));
    },

    softmax(...v) {
      const a = new Args('softmax', v);
      const rows = a.count(v[2], 'rows'),
        cols = a.count(v[3], 'cols'),
        n = a.mul('cols', rows, cols);
      const out = a.f32(0, 'out', n),
        x = a.f32(1, 'x', n),
        log = a.flag(v[4], 'log');
      const c = heap.call();
      const po = c.out(out),
        px = x === out ? po : c.in(x);
      c.run(() => m._tt_softmax(po, px, rows, cols, +log));
    },

    softmaxBackward(...v) {
      const a = new Args('softmaxBackward', v);
      const rows = a.count(v[3], 'rows'),
        cols = a.count(v[4], 'cols'),
        n = a.mul('cols', rows, cols);
      const dx = a.f32(0, 'dx', n),
        y = a.f32(1, 'y', n),
        dy = a.f32(2, 'dy', n),
        log = a.flag(v[5], 'log');
      const c = heap.call();
      const p = [c.out(dx), c.in(y), c.in(dy)];
      c.run(() => m._tt_softmax_backward(...p, rows, cols, +log));
    },
  };
}
