// Conformance cases of the network-level kernels, native against the js reference: softmax,
// layer norm, dropout (bit-identical masks), embedding, label-smoothed cross-entropy, Adam.

import assert from 'node:assert/strict';
import { dropoutHash, dropoutParams } from '../../src/backend/backend.js';
import {
  Rng,
  SIZES,
  assertClose,
  jsBackend,
  offsetInts,
  offsetView,
  sumTolerance,
  type ConformanceCase,
} from './conformance-helpers.js';

export const nnCases: ConformanceCase[] = [];

const ROWS = [1, 7, 33, 257, 1536];

nnCases.push(
  {
    kernels: ['softmax', 'softmaxBackward'],
    name: 'softmax and log-softmax, forward and backward, with -inf entries and an all -inf row',
    run: (native) => {
      const rng = new Rng(11);
      for (const rows of ROWS) {
        for (const cols of [...SIZES, 1000]) {
          const x = offsetView(rng.uniform(rows * cols, -8, 8));
          if (cols > 1) for (let r = 0; r < rows; r += 3) x[r * cols + (r % cols)] = -Infinity;
          if (rows > 2) x.fill(-Infinity, cols, 2 * cols); // row 1: nothing to normalise, NaN as PyTorch
          const dy = offsetView(rng.uniform(rows * cols));
          for (const log of [false, true]) {
            const label = `softmax log=${log} (${rows}, ${cols})`;
            const [gy, wy] = [native, jsBackend].map((be) => {
              const y = new Float32Array(rows * cols);
              be.softmax(y, x, rows, cols, log);
              return y;
            });
            // log-softmax values are O(16) here, so their float32 rounding is absolute, not relative.
            assertClose(gy, wy, label, { rtol: 1e-5, atol: log ? 2e-6 : 1e-7 });
            const [gd, wd] = [native, jsBackend].map((be) => {
              const dx = new Float32Array(rows * cols);
              be.softmaxBackward(dx, wy, dy, rows, cols, log);
              return dx;
            });
            assertClose(gd, wd, `${label} backward`, { rtol: 1e-5, atol: sumTolerance(cols, 2) });
          }
        }
      }
    },
  },

  {
    kernels: ['layerNorm', 'layerNormBackward'],
    name: 'layerNorm forward and backward, with and without gamma/beta',
    run: (native) => {
      const rng = new Rng(12);
      for (const rows of ROWS) {
        for (const cols of [...SIZES, 512]) {
          const x = offsetView(rng.uniform(rows * cols, -3, 5));
          const gamma = offsetView(rng.uniform(cols, 0.5, 1.5));
          const beta = rng.uniform(cols);
          const dy = rng.uniform(rows * cols);
          for (const [g, b] of [
            [gamma, beta],
            [null, null],
            [gamma, null],
            [null, beta],
          ] as const) {
            const label = `layerNorm (${rows}, ${cols}) gamma ${g !== null} beta ${b !== null}`;
            const [got, want] = [native, jsBackend].map((be) => {
              const out = new Float32Array(rows * cols);
              const mean = new Float32Array(rows);
              const rstd = new Float32Array(rows);
              be.layerNorm(out, mean, rstd, x, g, b, rows, cols, 1e-5);
              return { out, mean, rstd };
            });
            // (x - mean) rstd is a difference of sums over the row; cols = 1 gives exactly 0.
            const atol = sumTolerance(cols, 4);
            assertClose(got.out, want.out, `${label} out`, { rtol: 1e-5, atol });
            assertClose(got.mean, want.mean, `${label} mean`, { atol });
            assertClose(got.rstd, want.rstd, `${label} rstd`, { rtol: 2e-5 });
            const [gb, wb] = [native, jsBackend].map((be) => {
              const dx = new Float32Array(rows * cols);
              const dgamma = g ? new Float32Array(cols).fill(7) : null;
              const dbeta = g ? new Float32Array(cols).fill(7) : null;
              be.layerNormBackward(dx, dgamma, dbeta, dy, x, want.mean, want.rstd, g, rows, cols);
              return { dx, dgamma, dbeta };
            });
            // dx scales with rstd, which is 1/sqrt(eps) = 316 for a one-column row.
            const rstdMax = want.rstd.reduce((a, b) => Math.max(a, b), 0);
            assertClose(gb.dx, wb.dx, `${label} dx`, { rtol: 1e-4, atol: sumTolerance(cols, 8) * rstdMax });
            if (wb.dgamma && gb.dgamma)
              assertClose(gb.dgamma, wb.dgamma, `${label} dgamma`, { rtol: 1e-5, atol: sumTolerance(rows, 4) });
            if (wb.dbeta && gb.dbeta)
              assertClose(gb.dbeta, wb.dbeta, `${label} dbeta`, { rtol: 1e-5, atol: sumTolerance(rows, 2) });
          }
        }
      }
    },
  },
);

nnCases.push(
  {
    kernels: ['dropout'],
    name: 'dropout masks are bit-identical to dropoutHash, for any seed and offset',
    run: (native) => {
      const rng = new Rng(13);
      for (const p of [0, 0.1, 0.5, 0.9]) {
        const { threshold, scale } = dropoutParams(p);
        for (const n of [...SIZES, 100_003]) {
          for (const [seed, offset] of [
            [0, 0],
            [0xdeadbeef, 123_456_789],
            [7, 4_294_967_290],
            [2 ** 31 + 5, 2 ** 40 + 3],
          ]) {
            const x = offsetView(rng.uniform(n, 0.5, 2)); // never 0, so a 0 output means dropped
            const [got, want] = [native, jsBackend].map((be) => {
              const out = new Float32Array(n);
              be.dropout(out, x, n, threshold, scale, seed, offset);
              return out;
            });
            const label = `dropout p ${p} n ${n} seed ${seed} offset ${offset}`;
            for (let i = 0; i < n; i++) {
              const kept = dropoutHash(seed, offset + i) >= threshold;
              if ((got[i] !== 0) !== kept) assert.fail(`${label}: element ${i} mask differs`);
            }
            assertClose(got, want, label, { rtol: 2e-7, atol: 0 });
          }
        }
      }
    },
  },

  {
    kernels: ['embedding', 'embeddingBackward'],
    name: 'embedding gather and scatter-add with repeated ids, threaded sizes and views',
    run: (native) => {
      const rng = new Rng(14);
      for (const dim of [...SIZES, 512]) {
        for (const n of [1, 7, 33, 4000]) {
          const vocab = 37;
          const table = offsetView(rng.uniform(vocab * dim));
          const ids = offsetInts(rng.ints(n, 0, 5)); // ids 0-4 over and over: many collisions
          ids[0] = vocab - 1;
          const [got, want] = [native, jsBackend].map((be) => {
            const out = new Float32Array(n * dim);
            be.embedding(out, table, ids, n, dim);
            return out;
          });
          assertClose(got, want, `embedding n ${n} dim ${dim}`, { rtol: 0, atol: 0 });
          const dy = offsetView(rng.uniform(n * dim));
          const start = rng.uniform(vocab * dim);
          const [gd, wd] = [native, jsBackend].map((be) => {
            const dtable = offsetView(start.slice());
            be.embeddingBackward(dtable, dy, ids, n, dim);
            return dtable;
          });
          assertClose(gd, wd, `embeddingBackward n ${n} dim ${dim}`, { atol: sumTolerance(n, 2) });
        }
      }
    },
  },

  {
    kernels: ['embedding'],
    name: 'out-of-range ids are rejected, not followed',
    run: (native) => {
      const table = new Float32Array(4 * 3);
      const ids = Int32Array.from([0, 4]);
      assert.throws(() => native.embedding(new Float32Array(6), table, ids, 2, 3), RangeError);
    },
  },
);

nnCases.push(
  {
    kernels: ['crossEntropy', 'crossEntropyBackward'],
    name: 'crossEntropy with label smoothing and ignored rows, forward and backward',
    run: (native) => {
      const rng = new Rng(15);
      for (const rows of [1, 7, 33, 257]) {
        for (const V of [...SIZES, 8000]) {
          const logits = offsetView(rng.uniform(rows * V, -6, 6));
          const targets = offsetInts(rng.ints(rows, 0, V));
          for (let r = 2; r < rows; r += 5) targets[r] = -100;
          const dloss = rng.uniform(rows, 0.1, 1);
          for (const eps of [0, 0.1]) {
            const label = `crossEntropy (${rows}, ${V}) eps ${eps}`;
            const [got, want] = [native, jsBackend].map((be) => {
              const loss = new Float32Array(rows);
              const lse = new Float32Array(rows);
              be.crossEntropy(loss, lse, logits, targets, rows, V, eps, -100);
              return { loss, lse };
            });
            assertClose(got.loss, want.loss, `${label} loss`, { rtol: 1e-5, atol: sumTolerance(V, 6) });
            assertClose(got.lse, want.lse, `${label} lse`, { rtol: 1e-5, atol: 1e-6 });
            const [gd, wd] = [native, jsBackend].map((be) => {
              const d = new Float32Array(rows * V).fill(3);
              be.crossEntropyBackward(d, logits, want.lse, targets, dloss, rows, V, eps, -100);
              return d;
            });
            assertClose(gd, wd, `${label} backward`, { rtol: 1e-5, atol: 1e-7 });
          }
        }
      }
    },
  },

  {
    kernels: ['adam'],
    name: 'adam and adamw steps on awkward and threaded lengths',
    run: (native) => {
      const rng = new Rng(16);
      for (const n of [...SIZES, 100_003]) {
        for (const decoupled of [false, true]) {
          const param = rng.uniform(n);
          const grad = rng.uniform(n, -0.1, 0.1);
          const m = rng.uniform(n, -0.01, 0.01);
          const v = rng.uniform(n, 0, 1e-3);
          const [got, want] = [native, jsBackend].map((be) => {
            const state = [param.slice(), m.slice(), v.slice()];
            for (let t = 1; t <= 3; t++) {
              be.adam(state[0], grad, state[1], state[2], n, {
                lr: 1e-3,
                beta1: 0.9,
                beta2: 0.98,
                eps: 1e-9,
                weightDecay: 0.01,
                decoupled,
                biasCorrection1: 1 - 0.9 ** t,
                biasCorrection2: 1 - 0.98 ** t,
              });
            }
            return state;
          });
          for (let k = 0; k < 3; k++)
            assertClose(got[k], want[k], `adam n ${n} decoupled ${decoupled} state ${k}`, { rtol: 1e-5, atol: 1e-7 });
        }
      }
    },
  },

  {
    kernels: ['adam'],
    name: 'the addon rejects hyper-parameters of the wrong type, naming the field',
    run: (native) => {
      const f = () => new Float32Array(3);
      const params = {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.98,
        eps: 1e-9,
        weightDecay: 0,
        decoupled: false,
        biasCorrection1: 0.1,
        biasCorrection2: 0.02,
      };
      native.adam(f(), f(), f(), f(), 3, params);
      assert.throws(() => native.adam(f(), f(), f(), f(), 3, { ...params, decoupled: 0 as unknown as boolean }), {
        name: 'TypeError',
        message: /adam: argument 'params.decoupled' must be a boolean/,
      });
      assert.throws(() => native.adam(f(), f(), f(), f(), 3, { ...params, lr: '1e-3' as unknown as number }), {
        name: 'TypeError',
        message: /adam: argument 'params.lr' must be a number/,
      });
    },
  },
);
