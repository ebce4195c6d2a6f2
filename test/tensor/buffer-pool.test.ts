// The buffer pool's accounting of live tensor bytes and their high-water mark (what bench attention reports).

import test from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool, bucketCapacity } from '../../src/tensor/buffer-pool.js';
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

test('sizes a varying workload stops using go to the GC; a steady one keeps all its buffers', () => {
  const pool = new BufferPool();
  // One 8 MiB buffer live at a time, each of another size: at most 64 MiB of them stay free.
  for (let i = 0; i < 12; i++) pool.give('float32', pool.take('float32', (2 + i / 8) * 2 ** 20));
  assert.ok(pool.bytes <= 64 * 2 ** 20, `the pool kept ${pool.bytes} bytes`);
  assert.ok(pool.bytes > 0);
  // Three buffers live at once (240 MB, past the 64 MiB always kept), step after step: the pool keeps
  // the three and allocates nothing new.
  const steady = new BufferPool();
  const sizes = [12e6, 20e6, 28e6];
  const buffers = new Set<ArrayBufferLike>();
  for (let step = 0; step < 4; step++) {
    const taken = sizes.map((n) => steady.take('float32', n));
    taken.forEach((b) => buffers.add(b.buffer));
    taken.forEach((b) => steady.give('float32', b));
  }
  assert.equal(buffers.size, 3);
  assert.equal(
    steady.bytes,
    sizes.reduce((n, s) => n + bucketCapacity(s) * 4, 0),
  );
});
