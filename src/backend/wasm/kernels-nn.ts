// The wasm face of the network-level kernels: layer norm, dropout, embedding, cross-entropy and
// Adam, checked as native/napi/{nn,adam}.cc check them.

import { Args } from './args.js';
import type { Heap } from './heap.js';
import type { Kernels } from './kernels-dense.js';

const INT32_MAX = 2147483647;

export function nnKernels(heap: Heap): Kernels {
  const m = heap.module;
  return {
    layerNorm(...v) {
      const a = new Args('layerNorm', v);
      const rows = a.count(v[6], 'rows'),
        cols = a.count(v[7], 'cols'),
        n = a.mul('cols', rows, cols);
      const outs = [a.f32(0, 'out', n), a.f32(1, 'mean', rows), a.f32(2, 'rstd', rows)];
      const ins = [a.f32(3, 'x', n), a.f32OrNull(4, 'gamma', cols), a.f32OrNull(5, 'beta', cols)];
      const eps = a.number(v[8], 'eps');
      const c = heap.call();
      const p = [...outs.map((x) => c.out(x)), ...ins.map((x) => c.in(x))];
      c.run(() => m._tt_layer_norm(...p, rows, cols, eps));
    },

    layerNormBackward(...v) {
      const a = new Args('layerNormBackward', v);
      const rows = a.count(v[8], 'rows'),
        cols = a.count(v[9], 'cols'),
        n = a.mul('cols', rows, cols);
      const dgamma = a.f32OrNull(1, 'dgamma', cols),
        dbeta = a.f32OrNull(2, 'dbeta', cols);
      const dx = a.f32(0, 'dx', n);
      const ins = [a.f32(3, 'dy', n), a.f32(4, 'x', n), a.f32(5, 'mean', rows), a.f32(6, 'rstd', rows)];
      const gamma = a.f32OrNull(7, 'gamma', cols);
      const c = heap.call();
      const p = [c.out(dx), c.out(dgamma), c.out(dbeta), ...ins.map((x) => c.in(x)), c.in(gamma)];
      c.run(() => m._tt_layer_norm_backward(...p, rows, cols));
    },

    dropout(...v) {
      const a = new Args('dropout', v);
      const n = a.count(v[2], 'n');
      const out = a.f32(0, 'out', n),
        x = a.f32(1, 'x', n);
      const threshold = a.uint32(v[3], 'threshold'),
        scale = a.number(v[4], 'scale'),
        seed = a.uint32(v[5], 'seed'),
        offset = a.uint32(v[6], 'offset');
      const c = heap.call();
      const po = c.out(out),
        px = x === out ? po : c.in(x);
      c.run(() => m._tt_dropout(po, px, n, threshold, scale, seed, offset));
    },

    embedding(...v) {
      const a = new Args('embedding', v);
      const n = a.count(v[3], 'n'),
        dim = a.count(v[4], 'dim');
      const out = a.f32(0, 'out', a.mul('dim', n, dim));
      const table = a.f32(1, 'table', 0);
      const ids = a.i32(2, 'ids', n);
      a.indices('ids', ids, n, dim === 0 ? INT32_MAX : Math.floor(table.length / dim));
      const c = heap.call();
      const p = [c.out(out), c.in(table), c.in(ids)];
      c.run(() => m._tt_embedding(...p, n, dim));
    },

    embeddingBackward(...v) {
      const a = new Args('embeddingBackward', v);
      const n = a.count(v[3], 'n'),
        dim = a.count(v[4], 'dim');
      const dtable = a.f32(0, 'dtable', 0);
      const ids = a.i32(2, 'ids', n);
      a.indices('ids', ids, n, dim === 0 ? INT32_MAX : Math.floor(dtable.length / dim));
      const dy = a.f32(1, 'dy', a.mul('dim', n, dim));
      const c = heap.call();
      const p = [c.out(dtable), c.in(dy), c.in(ids)];
      c.run(() => m._tt_embedding_backward(...p, n, dim));
    },

    crossEntropy(...v) {
      const a = new Args('crossEntropy', v);
      const rows = a.count(v[4], 'rows'),
        V = a.count(v[5], 'V');
      const ignore = a.int32(v[7], 'ignoreIndex');
      const targets = a.i32(3, 'targets', rows);
      a.indices('targets', targets, rows, V, ignore);
      const loss = a.f32(0, 'loss', rows),
        lse = a.f32(1, 'lse', rows),
        logits = a.f32(2, 'logits', a.mul('V', rows, V));
      const eps = a.number(v[6], 'eps');
      const c = heap.call();
      const p = [c.out(loss), c.out(lse), c.in(logits), c.in(targets)];
      c.run(() => m._tt_cross_entropy(...p, rows, V, eps, ignore));
    },

    crossEntropyBackward(...v) {
      const a = new Args('crossEntropyBackward', v);
      const rows = a.count(v[5], 'rows'),
        V = a.count(v[6], 'V'),
        n = a.mul('V', rows, V);
      const ignore = a.int32(v[8], 'ignoreIndex');
      const targets = a.i32(3, 'targets', rows);
      a.indices('targets', targets, rows, V, ignore);
      const dlogits = a.f32(0, 'dlogits', n),
        logits = a.f32(1, 'logits', n),
        lse = a.f32(2, 'lse', rows),
        dloss = a.f32(4, 'dloss', rows);
      const eps = a.number(v[7], 'eps');
      const c = heap.call();
      const p = [c.out(dlogits), c.in(logits), c.in(lse), c.in(targets), c.in(dloss)];
      c.run(() => m._tt_cross_entropy_backward(...p, rows, V, eps, ignore));
    },

    adam(...v) {
      const a = new Args('adam', v);
      const n = a.count(v[4], 'n');
      const f = a.fields(5, 'params');
      const hyper = [f.number('lr'), f.number('beta1'), f.number('beta2'), f.number('eps'), f.number('weightDecay')];
      const decoupled = f.flag('decoupled');
      const corrections = [f.number('biasCorrection1'), f.number('biasCorrection2')];
      const arrays = [a.f32(0, 'param', n), a.f32(1, 'grad', n), a.f32(2, 'm', n), a.f32(3, 'v', n)];
      const c = heap.call();
      const p = arrays.map((x, i) => (i === 1 ? c.in(x) : c.out(x)));
      c.run(() => m._tt_adam(...p, n, ...hyper, +decoupled, ...corrections));
    },
  };
}
