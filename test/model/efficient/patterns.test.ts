// The sparse attention patterns: exact key lists on small cases, causality, bottom-right alignment
// for decoding, linear growth of the pair counts, padding removal and reproducible random blocks.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  bandPattern,
  blockGlobalPattern,
  pairCount,
  randomBlocks,
  stridedPattern,
  withKeyPadding,
} from '../../../src/model/efficient/patterns.js';
import { validatePattern, type SparsePattern } from '../../../src/tensor/ops/sparse-attention.js';

/** Each row's keys, group after group, as "0,1,2" strings. */
function rows(p: SparsePattern): string[] {
  const out: string[] = [];
  for (let g = 0; g < p.groups; g++) {
    for (let i = 0; i < p.rows; i++) {
      const at = g * (p.rows + 1) + i;
      out.push(Array.from(p.indices.subarray(p.offsets[at], p.offsets[at + 1])).join(','));
    }
  }
  return out;
}

const blockGlobal = (causal: boolean, randomBlocks = 0, seed = 0) => ({
  blockSize: 2,
  globalTokens: 1,
  randomBlocks,
  seed,
  causal,
});

const KINDS: [string, (Tq: number, Tk: number, causal: boolean) => SparsePattern][] = [
  ['band', (Tq, Tk, causal) => bandPattern(Tq, Tk, { window: 3, causal })],
  ['dilated', (Tq, Tk, causal) => bandPattern(Tq, Tk, { window: 2, dilation: 3, causal })],
  ['strided', (Tq, Tk, causal) => stridedPattern(Tq, Tk, { stride: 3, causal })],
  ['block-global', (Tq, Tk, causal) => blockGlobalPattern(Tq, Tk, { ...blockGlobal(causal, 2, 9), blockSize: 3 })],
];

test('band: the window around each position, dilated, causal, bottom-right aligned', () => {
  assert.deepEqual(rows(bandPattern(5, 5, { window: 1, causal: false })), ['0,1', '0,1,2', '1,2,3', '2,3,4', '3,4']);
  assert.deepEqual(rows(bandPattern(5, 5, { window: 1, causal: true })), ['0', '0,1', '1,2', '2,3', '3,4']);
  assert.deepEqual(rows(bandPattern(7, 7, { window: 2, dilation: 2, causal: false })), [
    '0,2,4',
    '1,3,5',
    '0,2,4,6',
    '1,3,5',
    '0,2,4,6',
    '1,3,5',
    '2,4,6',
  ]);
  assert.deepEqual(rows(bandPattern(6, 6, { window: 2, dilation: 2, causal: true })), [
    '0',
    '1',
    '0,2',
    '1,3',
    '0,2,4',
    '1,3,5',
  ]);
  // A decoding step's query is the last position; two queries at the end of six keys are 4 and 5.
  assert.deepEqual(rows(bandPattern(1, 6, { window: 2, causal: true })), ['3,4,5']);
  assert.deepEqual(rows(bandPattern(2, 6, { window: 1, causal: false })), ['3,4,5', '4,5']);
  assert.deepEqual(rows(bandPattern(4, 4, { window: 9, causal: false })), Array(4).fill('0,1,2,3'));
});

test('strided: the previous stride positions and every stride-th one (Child et al. 2019)', () => {
  assert.deepEqual(rows(stridedPattern(8, 8, { stride: 3, causal: true })), [
    '0',
    '0,1',
    '0,1,2',
    '0,1,2,3',
    '1,2,3,4',
    '2,3,4,5',
    '0,3,4,5,6',
    '1,4,5,6,7',
  ]);
  assert.deepEqual(rows(stridedPattern(8, 8, { stride: 3, causal: false })), [
    '0,1,2,3,6',
    '0,1,2,3,4,7',
    '0,1,2,3,4,5',
    '0,1,2,3,4,5,6',
    '1,2,3,4,5,6,7',
    '2,3,4,5,6,7',
    '0,3,4,5,6,7',
    '1,4,5,6,7',
  ]);
  // n (stride + n / stride) pairs at most: 1024 (32 + 32) for n = 1024, stride 32, both directions.
  const n = 1024;
  assert.ok(pairCount(stridedPattern(n, n, { stride: 32, causal: false })) <= 2 * n * (32 + n / 32));
  assert.ok(pairCount(stridedPattern(n, n, { stride: 32, causal: true })) <= n * (32 + n / 32));
});

test('block-global: neighbour blocks, global tokens and queries, random blocks (BigBird)', () => {
  assert.deepEqual(rows(blockGlobalPattern(8, 8, blockGlobal(false))), [
    '0,1,2,3,4,5,6,7', // a global query sees everything
    '0,1,2,3',
    '0,1,2,3,4,5',
    '0,1,2,3,4,5',
    '0,2,3,4,5,6,7',
    '0,2,3,4,5,6,7',
    '0,4,5,6,7',
    '0,4,5,6,7',
  ]);
  assert.deepEqual(rows(blockGlobalPattern(8, 8, blockGlobal(true))), [
    '0',
    '0,1',
    '0,1,2',
    '0,1,2,3',
    '0,2,3,4',
    '0,2,3,4,5',
    '0,4,5,6',
    '0,4,5,6,7',
  ]);
  // One random block per query block, drawn from the blocks before the window.
  const random = blockGlobalPattern(12, 12, { ...blockGlobal(true, 1, 5), globalTokens: 0 });
  const blocks = [3, 4, 5].map((b) => randomBlocks(5, b, 1, 6, true)[0]);
  blocks.forEach((c, n) => assert.ok(c < n + 3 - 1, `block ${n + 3} draws block ${c} before its window`));
  for (let i = 6; i < 12; i++) {
    const block = Math.floor(i / 2);
    const c = blocks[block - 3];
    const expected = [2 * c, 2 * c + 1, ...[2 * block - 2, 2 * block - 1, 2 * block].filter((j) => j <= i)];
    if (2 * block + 1 <= i) expected.push(2 * block + 1);
    assert.deepEqual(rows(random)[i], expected.join(','), `row ${i}`);
  }
});

test('random blocks are reproducible from (seed, query block) and differ between seeds', () => {
  for (const causal of [false, true]) {
    assert.deepEqual(randomBlocks(3, 20, 4, 40, causal), randomBlocks(3, 20, 4, 40, causal));
    const draws = [0, 1, 2, 3].map((seed) => randomBlocks(seed, 20, 4, 40, causal).join());
    assert.ok(new Set(draws).size > 1, `seeds give different blocks: ${draws.join(' | ')}`);
    const drawn = randomBlocks(3, 20, 4, 40, causal);
    assert.equal(new Set(drawn).size, 4);
    for (const c of drawn) assert.ok(Math.abs(c - 20) > 1 && (!causal || c < 19), `block ${c}`);
  }
  assert.deepEqual(randomBlocks(1, 1, 5, 40, true), [], 'block 1 has nothing before its window');
  assert.deepEqual(randomBlocks(1, 2, 5, 40, true), [0], 'block 2 has only block 0 before its window');
  const a = blockGlobalPattern(64, 64, { ...blockGlobal(false, 2, 7), blockSize: 4 });
  const b = blockGlobalPattern(64, 64, { ...blockGlobal(false, 2, 7), blockSize: 4 });
  const c = blockGlobalPattern(64, 64, { ...blockGlobal(false, 2, 8), blockSize: 4 });
  assert.deepEqual(rows(a), rows(b));
  assert.notDeepEqual(rows(a), rows(c));
});

test('every pattern is valid, causal never looks ahead and keeps the own position', () => {
  for (const [name, make] of KINDS) {
    for (const causal of [false, true]) {
      for (const [Tq, Tk] of [
        [17, 17],
        [5, 17],
        [1, 17],
      ]) {
        const p = make(Tq, Tk, causal);
        validatePattern(p, name);
        for (let i = 0; i < Tq; i++) {
          const keys = rows(p)[i].split(',').map(Number);
          const pos = i + Tk - Tq;
          assert.ok(keys.includes(pos), `${name} ${Tq}x${Tk} row ${i} keeps its own position`);
          if (causal)
            assert.ok(
              keys.every((j) => j <= pos),
              `${name} causal row ${i}: ${keys.join(',')}`,
            );
        }
      }
    }
  }
});

test('a decoding step (Tq = 1 at the end of Tk) sees the full pass last row', () => {
  for (const [name, make] of KINDS) {
    for (const causal of [false, true]) {
      const full = rows(make(23, 23, causal));
      for (let Tk = 1; Tk <= 23; Tk++) {
        const last = rows(make(Tk, Tk, causal))[Tk - 1];
        assert.equal(rows(make(1, Tk, causal))[0], last, `${name} causal ${causal}: the step at ${Tk}`);
      }
      assert.deepEqual(rows(make(3, 23, causal)), full.slice(20), `${name} causal ${causal}: the last three rows`);
    }
  }
});

test('pair counts grow linearly with n for band, dilated and block-global', () => {
  for (const [name, make] of KINDS) {
    if (name === 'strided') continue;
    for (const causal of [false, true]) {
      const [small, large] = [1024, 2048].map((n) => pairCount(make(n, n, causal)));
      assert.ok(large <= 2.1 * small && large >= 1.9 * small, `${name}: ${small} pairs at 1024, ${large} at 2048`);
    }
  }
  assert.equal(pairCount(bandPattern(1024, 1024, { window: 64, causal: false })), 1024 * 129 - 64 * 65);
  assert.equal(pairCount(bandPattern(1024, 1024, { window: 64, causal: true })), 1024 * 65 - (64 * 65) / 2);
});

test('withKeyPadding drops padded keys and gives each batch row its own group', () => {
  const band = bandPattern(3, 3, { window: 1, causal: false });
  const padding = Int32Array.from([1, 1, 0, 1, 0, 1]); // (B = 2, Tk = 3)
  const padded = withKeyPadding(band, padding, 2, 4);
  assert.equal(padded.groups, 2);
  assert.deepEqual(rows(padded), ['0,1', '0,1', '1', '0', '0,2', '2']);
  validatePattern(padded);
  assert.equal(pairCount(padded), 9);
  // A per-head pattern keeps its groups: head h of batch row b is group b * heads + h.
  const perHead = withKeyPadding(
    { ...band, groups: 4, offsets: new Int32Array([0, 2, 5, 7, 0, 2, 5, 7, 0, 2, 5, 7, 0, 2, 5, 7]) },
    padding,
    2,
    2,
  );
  assert.equal(perHead.groups, 4);
  assert.deepEqual(rows(perHead), ['0,1', '0,1', '1', '0,1', '0,1', '1', '0', '0,2', '2', '0', '0,2', '2']);
  assert.throws(() => withKeyPadding(band, new Int32Array(5), 2, 4), /keyPadding has 5 entries, expected B \* Tk = 6/);
});
