// The buffer pool's accounting of live tensor bytes and their high-water mark (what bench attention reports).

import test from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../src/tensor/buffer-pool.js';
import * as T from '../../src/tensor/index.js';
import { bufferPool, tidy } from '../../src/tensor/index.js';

test('live bytes count what was taken and not given back; the peak keeps the most', () => {
  const pool = new BufferPool();
  const a = pool.take('float32', 100);
  const b = pool.take('int32', 10);
  const c = pool.take('float64', 3);
  assert.equal(pool.liveBytes, 400 + 40 + 24);
  pool.give('float32', a);
  assert.equal(pool.liveBytes, 64);
  assert.equal(pool.peakBytes, 464);
  pool.resetPeak();
  assert.equal(pool.peakBytes, 64);
  pool.give('int32', b);
  pool.give('float64', c);
  assert.equal(pool.liveBytes, 0);
  assert.equal(pool.peakBytes, 64);
});

test('a buffer the full pool lets the GC have still leaves the live count', () => {
  const pool = new BufferPool(16);
  pool.give('float32', pool.take('float32', 1000));
  assert.equal(pool.liveBytes, 0);
  assert.equal(pool.bytes, 0);
});

test('tensors a tidy scope disposes give their bytes back; the peak saw them all at once', () => {
  const before = bufferPool.liveBytes;
  bufferPool.resetPeak();
  tidy(() => {
    const x = T.zeros([256, 256]); // 256 KiB
    T.add(x, x); // another 256 KiB
  });
  assert.equal(bufferPool.liveBytes, before);
  assert.ok(bufferPool.peakBytes - before >= 2 * 256 * 256 * 4, `peak ${bufferPool.peakBytes - before}`);
});
