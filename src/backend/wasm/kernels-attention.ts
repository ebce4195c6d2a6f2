// The wasm face of dense and sparse attention: the shape structs are checked field by field and
// the sparse pattern in full, as native/napi/attention.cc does, then passed to the C functions as
// plain arguments.

import { Args, type Fields } from './args.js';
import type { Heap } from './heap.js';
import type { Kernels } from './kernels-dense.js';

interface Dims {
  B: number;
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  Dv: number;
  scale: number;
}

// B, H, Tq, Tk, D, Dv and scale: the fields both shape structs share.
function readDims(a: Args, f: Fields): Dims {
  const d = {
    B: f.count('B'),
    H: f.count('H'),
    Tq: f.count('Tq'),
    Tk: f.count('Tk'),
    D: f.count('D'),
    Dv: f.count('Dv'),
    scale: f.number('scale'),
  };
  // Every array size below is a product of these; none may lose precision.
  const rows = a.mul('shape.Tq', a.mul('shape.H', d.B, d.H), Math.max(d.Tq, d.Tk));
  a.mul('shape.Tk', rows, Math.max(d.Tk, d.D, d.Dv));
  return d;
}

function attentionShape(a: Args, i: number) {
  const f = a.fields(i, 'shape');
  const d = readDims(a, f);
  const drop = [f.uint32('threshold'), f.number('dropScale'), f.uint32('seed')];
  return { ...d, BH: d.B * d.H, args: [d.B, d.H, d.Tq, d.Tk, d.D, d.Dv, d.scale, ...drop] };
}

// The SparseAttentionShape at `shape`, and the pattern's offsets and indices at `first` and
// `first + 1`, checked to stay inside [0, nnz) and [0, Tk).
function sparseArgs(a: Args, first: number, shape: number) {
  const f = a.fields(shape, 'shape');
  const groups = f.count('groups');
  const d = readDims(a, f);
  const BH = d.B * d.H;
  if (groups !== 1 && groups !== d.B && groups !== BH)
    a.fail(true, 'shape.groups', `must be 1, B or B*H, got ${groups}`);
  const offsets = a.i32(first, 'offsets', a.mul('shape.groups', groups, d.Tq + 1));
  const indices = a.i32(first + 1, 'indices', 0);
  const nnz = indices.length;
  for (let g = 0; g < groups; g++) {
    const o = g * (d.Tq + 1);
    if (offsets[o] < 0 || offsets[o + d.Tq] > nnz) a.fail(true, 'offsets', `of group ${g} leave [0, ${nnz}]`);
    for (let i = 0; i < d.Tq; i++)
      if (offsets[o + i + 1] < offsets[o + i]) a.fail(true, 'offsets', `decrease in group ${g}`);
    a.indices('indices', indices, offsets[o + d.Tq] - offsets[o], d.Tk, undefined, offsets[o]);
  }
  return { ...d, BH, offsets, indices, args: [d.B, d.H, d.Tq, d.Tk, d.D, d.Dv, groups, d.scale] };
}

export function attentionKernels(heap: Heap): Kernels {
  const m = heap.module;
  return {
    // attentionCached(out, weights, q, k, v, index, mask, shape, causal): keys and values in a fixed
    // cache, key j of query row n in cache row index[n * capacity + j].
    attentionCached(...v) {
      const a = new Args('attentionCached', v);
      const f = a.fields(7, 'shape');
      const [N, H, Tq, Tk, D, slots, capacity] = ['N', 'H', 'Tq', 'Tk', 'D', 'slots', 'capacity'].map((k) =>
        f.count(k),
      );
      const scale = f.number('scale');
      if (Tk > capacity) a.fail(true, 'shape.Tk', 'exceeds shape.capacity');
      const NH = a.mul('shape.H', N, H);
      const cache = a.mul('shape.capacity', a.mul('shape.H', slots, H), a.mul('shape.D', capacity, D));
      const index = a.i32(5, 'index', a.mul('shape.capacity', N, capacity));
      for (let n = 0; n < N; n++) a.indices('index', index, Tk, slots, undefined, n * capacity);
      const out = a.f32(0, 'out', a.mul('shape.D', NH * Tq, D));
      const weights = a.f32OrNull(1, 'weights', a.mul('shape.Tk', NH * Tq, Tk));
      const q = a.f32(2, 'q', a.mul('shape.D', NH * Tq, D));
      const k = a.f32(3, 'k', cache),
        vv = a.f32(4, 'v', cache);
      const mask = a.f32OrNull(6, 'mask', slots * capacity);
      const causal = a.flag(v[8], 'causal');
      const c = heap.call();
      const p = [c.out(out), c.out(weights), c.in(q), c.in(k), c.in(vv), c.in(index), c.in(mask)];
      c.run(() => m._tt_attention_cached(...p, N, H, Tq, Tk, D, slots, capacity, scale, +causal));
    },

    // attention(out, weights, q, k, v, shape, causal, mask, maskStrides)
    attention(...v) {
      const a = new Args('attention', v);
      const s = attentionShape(a, 5);
      let mask = a.f32OrNull(7, 'mask', 0);
      let maskStrides: Int32Array | null = null;
      if (mask !== null) {
        maskStrides = a.i32(8, 'maskStrides', 4);
        const dims = [s.B, s.H, s.Tq, s.Tk];
        let reach = 1;
        for (let d = 0; d < 4; d++) {
          if (maskStrides[d] < 0) a.fail(true, 'maskStrides', 'has a negative stride');
          reach += (dims[d] - 1) * maskStrides[d];
        }
        if (s.BH * s.Tq * s.Tk > 0) mask = a.f32(7, 'mask', reach);
      }
      const out = a.f32(0, 'out', s.BH * s.Tq * s.Dv),
        weights = a.f32(1, 'weights', s.BH * s.Tq * s.Tk);
      const q = a.f32(2, 'q', s.BH * s.Tq * s.D),
        k = a.f32(3, 'k', s.BH * s.Tk * s.D),
        vv = a.f32(4, 'v', s.BH * s.Tk * s.Dv);
      const causal = a.flag(v[6], 'causal');
      const c = heap.call();
      const p = [c.out(out), c.out(weights), c.in(q), c.in(k), c.in(vv)];
      const pm = [c.in(mask), c.in(maskStrides)];
      c.run(() => m._tt_attention(...p, ...s.args, +causal, ...pm));
    },

    // attentionBackward(dq, dk, dv, dout, q, k, v, weights, shape)
    attentionBackward(...v) {
      const a = new Args('attentionBackward', v);
      const s = attentionShape(a, 8);
      const { BH, Tq, Tk, D, Dv } = s;
      const outs = [a.f32(0, 'dq', BH * Tq * D), a.f32(1, 'dk', BH * Tk * D), a.f32(2, 'dv', BH * Tk * Dv)];
      const ins = [a.f32(3, 'dout', BH * Tq * Dv), a.f32(4, 'q', BH * Tq * D), a.f32(5, 'k', BH * Tk * D)];
      ins.push(a.f32(6, 'v', BH * Tk * Dv), a.f32(7, 'weights', BH * Tq * Tk));
      const c = heap.call();
      const p = [...outs.map((x) => c.out(x)), ...ins.map((x) => c.in(x))];
      c.run(() => m._tt_attention_backward(...p, ...s.args));
    },

    // sparseAttention(out, lse, weights, q, k, v, offsets, indices, shape)
    sparseAttention(...v) {
      const a = new Args('sparseAttention', v);
      const s = sparseArgs(a, 6, 8);
      const { BH, Tq, Tk, D, Dv } = s;
      const outs = [a.f32(0, 'out', BH * Tq * Dv), a.f32(1, 'lse', BH * Tq), a.f32OrNull(2, 'weights', BH * Tq * Tk)];
      const ins = [a.f32(3, 'q', BH * Tq * D), a.f32(4, 'k', BH * Tk * D), a.f32(5, 'v', BH * Tk * Dv)];
      const c = heap.call();
      const p = [...outs.map((x) => c.out(x)), ...ins.map((x) => c.in(x)), c.in(s.offsets), c.in(s.indices)];
      c.run(() => m._tt_sparse_attention(...p, ...s.args));
    },

    // sparseAttentionBackward(dq, dk, dv, dout, q, k, v, lse, offsets, indices, shape)
    sparseAttentionBackward(...v) {
      const a = new Args('sparseAttentionBackward', v);
      const s = sparseArgs(a, 8, 10);
      const { BH, Tq, Tk, D, Dv } = s;
      const outs = [a.f32(0, 'dq', BH * Tq * D), a.f32(1, 'dk', BH * Tk * D), a.f32(2, 'dv', BH * Tk * Dv)];
      const ins = [a.f32(3, 'dout', BH * Tq * Dv), a.f32(4, 'q', BH * Tq * D), a.f32(5, 'k', BH * Tk * D)];
      ins.push(a.f32(6, 'v', BH * Tk * Dv), a.f32(7, 'lse', BH * Tq));
      const c = heap.call();
      const p = [...outs.map((x) => c.out(x)), ...ins.map((x) => c.in(x)), c.in(s.offsets), c.in(s.indices)];
      c.run(() => m._tt_sparse_attention_backward(...p, ...s.args));
    },
  };
}
