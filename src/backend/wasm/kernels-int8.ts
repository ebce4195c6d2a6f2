// The wasm face of the int8 inference kernels: the checks of native/napi/gemm_int8.cc, then the C
// functions of native/wasm/glue.cc. Weights in JS memory are copied into the heap for each call.

import { Args } from './args.js';
import { int8PackedSize } from '../int8-contract.js';
import type { Heap } from './heap.js';
import type { Kernels } from './kernels-dense.js';

/** Sums of K products of two int8 stay inside int32 up to K = 2^31 / 127^2 (as the addon). */
const MAX_K = 133144;

function depth(a: Args, v: unknown): number {
  const K = a.count(v, 'K');
  if (K > MAX_K) a.fail(true, 'K', `must be at most ${MAX_K}, got ${K}`);
  return K;
}

export function int8Kernels(heap: Heap): Kernels {
  const m = heap.module;
  return {
    quantizeInt8(...v) {
      const a = new Args('quantizeInt8', v);
      const rows = a.count(v[0], 'rows'),
        K = a.count(v[1], 'K');
      const x = a.f32(2, 'x', a.mul('x', rows, K)),
        q = a.i8(3, 'q', rows * K),
        scales = a.f32(4, 'scales', rows);
      const c = heap.call();
      const pq = c.out(q),
        ps = c.out(scales),
        px = c.in(x);
      c.run(() => m._tt_quantize_int8(rows, K, px, pq, ps));
    },

    packInt8(...v) {
      const a = new Args('packInt8', v);
      const N = a.count(v[0], 'N'),
        K = depth(a, v[1]);
      const q = a.i8(2, 'q', a.mul('q', N, K)),
        packed = a.i8(3, 'packed', int8PackedSize(N, K)),
        sums = a.i32(4, 'sums', N);
      const c = heap.call();
      const pp = c.out(packed),
        ps = c.out(sums),
        pq = c.in(q);
      c.run(() => m._tt_pack_int8(N, K, pq, pp, ps));
    },

    gemmInt8(...v) {
      const a = new Args('gemmInt8', v);
      const M = a.count(v[0], 'M'),
        N = a.count(v[1], 'N'),
        K = depth(a, v[2]);
      const x = a.f32(3, 'x', a.mul('x', M, K)),
        packed = a.i8(4, 'packed', int8PackedSize(N, K)),
        scales = a.f32(5, 'scales', N),
        sums = a.i32(6, 'sums', N),
        bias = a.f32OrNull(7, 'bias', N),
        y = a.f32(8, 'y', a.mul('y', M, N));
      const c = heap.call();
      const py = c.out(y),
        px = c.in(x),
        pp = c.in(packed),
        ps = c.in(scales),
        pu = c.in(sums),
        pb = c.in(bias);
      c.run(() => m._tt_gemm_int8(M, N, K, px, pp, ps, pu, pb, py));
    },
  };
}
