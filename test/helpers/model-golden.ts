// Reading the model fixtures of scripts/make_model_fixtures.py (format version 1): tensors stored as
// base64 little-endian bytes, weights by namedParameters() name, float64 logits and float32 gradients.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';
import type { ModelKind } from '../../src/model/index.js';
import type { Entry } from './golden.js';

export interface StoredTensor {
  shape: number[];
  dtype: 'float32' | 'float64' | 'int32';
  data: string;
}

export interface ModelFixture {
  format: string;
  version: number;
  variant: string;
  description: string;
  kind: ModelKind;
  overrides: Record<string, unknown>;
  config: Record<string, number>;
  loss: { labelSmoothing: number; ignoreIndex: number };
  inputs: Record<string, StoredTensor>;
  params: Record<string, StoredTensor>;
  outputs: Record<'logits' | 'loss', StoredTensor>;
  grads: Record<string, StoredTensor>;
}

// From dist/test/helpers/ back to the sources' test/fixtures/model/.
const FIXTURE_DIR = new URL('../../../test/fixtures/model/', import.meta.url);

/** The variants with a fixture, by file name. */
export function modelFixtureNames(): string[] {
  return readdirSync(fileURLToPath(FIXTURE_DIR))
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort();
}

export function readModelFixture(variant: string): ModelFixture {
  const file = fileURLToPath(new URL(`${variant}.json`, FIXTURE_DIR));
  const doc = JSON.parse(readFileSync(file, 'utf8')) as ModelFixture;
  if (doc.format !== 'transformer-ts model fixture' || doc.version !== 1) {
    throw new Error(`${file}: not a version 1 model fixture; regenerate with scripts/make_model_fixtures.py`);
  }
  return doc;
}

/** The stored values, decoded from little-endian bytes whatever the host's byte order. */
export function decode(t: StoredTensor): Float32Array | Float64Array | Int32Array {
  const bytes = Buffer.from(t.data, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = t.dtype === 'float64' ? 8 : 4;
  const count = bytes.byteLength / width;
  assert.equal(
    count,
    t.shape.reduce((n, s) => n * s, 1),
    `stored ${t.dtype} data does not fill shape [${t.shape}]`,
  );
  if (t.dtype === 'float64') return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, true));
  if (t.dtype === 'float32') return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
  return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
}

/** A constant input tensor: int32 ids and targets, float32 weights. */
export function inputTensor(f: ModelFixture, name: string): Tensor {
  const stored = f.inputs[name];
  if (stored === undefined) throw new Error(`${f.variant}: the fixture has no input "${name}"`);
  return Tensor.from(decode(stored), stored.shape);
}

/** A stored reference as golden.ts's Entry, for assertClose. */
export function expected(t: StoredTensor): Entry {
  return { shape: t.shape, values: Array.from(decode(t)) };
}

/**
 * Copies the fixture's weights into the model's parameters, failing with the list of names either
 * side lacks, or with the first shape that differs.
 */
export function loadParameters(f: ModelFixture, params: Map<string, Tensor>): void {
  const missing = Object.keys(f.params).filter((n) => !params.has(n));
  const unexpected = [...params.keys()].filter((n) => !(n in f.params));
  if (missing.length > 0 || unexpected.length > 0) {
    assert.fail(
      `${f.variant}: parameter names differ from torch's; the model lacks [${missing.join(', ')}], ` +
        `the fixture lacks [${unexpected.join(', ')}]`,
    );
  }
  for (const [name, p] of params) {
    const stored = f.params[name];
    assert.deepEqual(
      [...p.shape],
      stored.shape,
      `${f.variant}: ${name} has shape [${p.shape}], torch's is [${stored.shape}]`,
    );
    p.floats(name).set(decode(stored));
  }
}
