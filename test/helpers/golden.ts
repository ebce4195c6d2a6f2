// Reading the PyTorch golden fixtures (scripts/make_golden_fixtures.py, format version 1) and
// comparing our tensors with them element by element.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Tensor } from '../../src/tensor/tensor.js';

export interface Entry {
  shape: number[];
  dtype?: 'float32' | 'int32';
  values: number[];
}

export interface FixtureFile {
  format: string;
  version: number;
  graph: string;
  description: string;
  config: Record<string, unknown>;
  inputs: Record<string, Entry>;
  params: Record<string, Entry>;
  outputs: Record<string, Entry>;
  grads: Record<string, Entry>;
}

// From dist/test/helpers/golden.js back to the sources' test/fixtures/golden/.
const FIXTURE_DIR = new URL('../../../test/fixtures/golden/', import.meta.url);

export function readFixture(graph: string): FixtureFile {
  const file = fileURLToPath(new URL(`${graph}.json`, FIXTURE_DIR));
  const doc = JSON.parse(readFileSync(file, 'utf8')) as FixtureFile;
  if (doc.format !== 'transformer-ts golden fixture' || doc.version !== 1) {
    throw new Error(`${file}: not a version 1 golden fixture; regenerate with scripts/make_golden_fixtures.py`);
  }
  return doc;
}

/** One graph's tensors, made fresh for one run: params are float32 leaves requiring a gradient. */
export class Fixture {
  readonly params = new Map<string, Tensor>();

  constructor(readonly file: FixtureFile) {}

  config<T = number>(key: string): T {
    if (!(key in this.file.config)) throw new Error(`${this.file.graph}: no config key ${key}`);
    return this.file.config[key] as T;
  }

  /** A constant input: ids and masks as int32, positions and weights as float32. */
  input(name: string): Tensor {
    const e = this.entry(this.file.inputs, 'input', name);
    return e.dtype === 'int32'
      ? Tensor.from(Int32Array.from(e.values), e.shape)
      : Tensor.from(Float32Array.from(e.values), e.shape);
  }

  param(name: string): Tensor {
    const e = this.entry(this.file.params, 'param', name);
    const t = Tensor.from(Float32Array.from(e.values), e.shape).requireGrad();
    this.params.set(name, t);
    return t;
  }

  private entry(group: Record<string, Entry>, kind: string, name: string): Entry {
    const e = group[name];
    if (e === undefined) throw new Error(`${this.file.graph}: the fixture has no ${kind} "${name}"`);
    return e;
  }
}

export interface Tolerance {
  /** Relative to each expected element. */
  rtol: number;
  /** Relative to the largest expected magnitude in the tensor (float32 cancellation in sums). */
  atol: number;
}

/** The worst error of one tensor: absolute, and scaled as the tolerance scales it (<= 1 passes). */
export interface Mismatch {
  maxAbs: number;
  worstRatio: number;
}

/** Asserts |actual - expected| <= rtol |expected| + atol max|expected| + 1e-7 everywhere. */
export function assertClose(what: string, actual: Tensor, expected: Entry, tol: Tolerance): Mismatch {
  assert.deepEqual(
    [...actual.shape],
    expected.shape,
    `${what}: shape ${actual.shape} differs from torch's ${expected.shape}`,
  );
  const got = actual.toArray();
  const want = expected.values;
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let maxAbs = 0;
  let worstRatio = 0;
  let worst = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    const ratio = Number.isNaN(err) ? Infinity : err / (tol.rtol * Math.abs(want[i]) + tol.atol * scale + 1e-7);
    maxAbs = Math.max(maxAbs, Number.isNaN(err) ? Infinity : err);
    if (ratio > worstRatio) [worstRatio, worst] = [ratio, i];
  }
  if (worstRatio > 1) {
    const index = unravel(worst, expected.shape);
    assert.fail(
      `${what}[${index.join(', ')}] (flat ${worst}) = ${got[worst]}, torch says ${want[worst]} (|diff| ${Math.abs(got[worst] - want[worst]).toExponential(2)}, ${worstRatio.toFixed(1)}x the tolerance)`,
    );
  }
  return { maxAbs, worstRatio };
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}
