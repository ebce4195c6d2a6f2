// The round trip to PyTorch (docs/training.md): a folder written by `transformer export-marian`, fine-tuned
// for 5 Adam steps by scripts/finetune_marian_torch.py and saved as pytorch_model.bin, is imported back
// with the logits PyTorch computed after training.

import test from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadMarian } from '../../src/io/marian.js';
import type { EncoderDecoder } from '../../src/model/index.js';
import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const FINETUNE = join(FIXTURES, 'finetune');
const root = mkdtempSync(join(tmpdir(), 'finetune-'));
test.after(() => rmSync(root, { recursive: true, force: true }));

interface Encoded {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: string;
}
const expected = JSON.parse(readFileSync(join(FINETUNE, 'expected.json'), 'utf8')) as Record<
  'source' | 'decoderInput' | 'logits',
  Encoded
>;

function tensorOf(t: Encoded): Tensor {
  const copy = new Uint8Array(Buffer.from(t.data, 'base64')).buffer;
  return Tensor.from(t.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy), t.shape);
}

function largestDifference(model: EncoderDecoder): number {
  const ours = tidy(() =>
    T.noGrad(() =>
      Float32Array.from(
        T.contiguous(model.forward(tensorOf(expected.source), tensorOf(expected.decoderInput))).floats(),
      ),
    ),
  );
  const torch = tensorOf(expected.logits).floats();
  assert.equal(ours.length, torch.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - torch[i]));
  return worst;
}

/** The exported folder's config.json, the tokenizer it was exported with, and `weights`. */
function folder(name: string, weights: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const file of ['vocab.json', 'source.spm', 'target.spm'])
    copyFileSync(join(FIXTURES, 'marian', file), join(dir, file));
  copyFileSync(join(FINETUNE, 'exported', 'config.json'), join(dir, 'config.json'));
  copyFileSync(weights, join(dir, weights.endsWith('.bin') ? 'pytorch_model.bin' : 'model.safetensors'));
  return dir;
}

test('a folder fine-tuned in PyTorch and saved as pytorch_model.bin computes PyTorch logits within 1e-5', async () => {
  const { model } = await loadMarian(folder('imported', join(FINETUNE, 'pytorch_model.bin')));
  const worst = largestDifference(model);
  assert.ok(worst < 1e-5, `logits differ from PyTorch's by up to ${worst}`);
  // The fine-tuning moved the model: the exported weights are far from those logits.
  const { model: exported } = await loadMarian(folder('exported', join(FINETUNE, 'exported', 'model.safetensors')));
  assert.ok(largestDifference(exported) > 0.5);
});
