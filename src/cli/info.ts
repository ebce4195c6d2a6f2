// `transformer info --model DIR [--json]`: a model folder's config and its parameter count per module;
// Hugging Face Marian folders too.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { TOKENIZER_FILE, WEIGHTS_FILE } from '../io/model-folder.js';
import { PYTORCH_WEIGHTS_FILE, readPytorchCheckpoint } from '../io/pytorch/file.js';
import { folderFormat, openFolderTokenizer, readFolderConfig } from '../io/open-folder.js';
import { readSafetensorsHeader } from '../io/safetensors.js';
import { MARIAN_VOCAB_FILE } from '../tokenizer/marian-tokenizer.js';
import { createModel } from '../model/index.js';
import type { Module } from '../nn/module.js';
import { UsageError } from './flags.js';

export interface ModuleCount {
  /** A top-level module ("encoder"), or a part of an encoder or decoder stack ("encoder.layers.0"). */
  module: string;
  parameters: number;
}

/**
 * Parameters per top-level module (these rows sum to the total; a tied tensor counts once, where it is
 * registered first), each followed by its stack's parts when it is an encoder or decoder.
 */
export function parameterCounts(model: Module): { modules: ModuleCount[]; total: number } {
  const counts = new Map<string, number>();
  for (const name of model.namedModules().keys()) if (name !== '' && !name.includes('.')) counts.set(name, 0);
  let total = 0;
  for (const [name, p] of model.namedParameters()) {
    const parts = name.split('.');
    const keys = [parts[0]];
    if (parts.length > 2 && (parts[0] === 'encoder' || parts[0] === 'decoder')) {
      keys.push(parts.slice(0, parts[1] === 'layers' ? 3 : 2).join('.'));
    }
    for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + p.size);
    total += p.size;
  }
  const top = [...counts.keys()].filter((k) => !k.includes('.'));
  const modules = top.flatMap((t) =>
    [t, ...[...counts.keys()].filter((k) => k.startsWith(`${t}.`))].map((k) => ({
      module: k,
      parameters: counts.get(k)!,
    })),
  );
  return { modules, total };
}

/** A model folder's config, weights and tokenizer, read without loading the weights. */
async function readFolder(dir: string) {
  const format = folderFormat(dir);
  const marian = format === 'marian';
  const config = readFolderConfig(dir);
  const weightsPath = join(dir, WEIGHTS_FILE);
  const header = existsSync(weightsPath) ? readSafetensorsHeader(weightsPath) : null;
  const pytorchPath = join(dir, PYTORCH_WEIGHTS_FILE);
  const weights =
    header !== null
      ? { file: WEIGHTS_FILE, tensors: header.entries.length, bytes: statSync(weightsPath).size }
      : marian && existsSync(pytorchPath)
        ? {
            file: PYTORCH_WEIGHTS_FILE,
            tensors: readPytorchCheckpoint(pytorchPath).size,
            bytes: statSync(pytorchPath).size,
          }
        : null;
  const loaded = await openFolderTokenizer(dir);
  const tokenizer =
    loaded === null ? null : { file: marian ? MARIAN_VOCAB_FILE : TOKENIZER_FILE, vocabSize: loaded.vocabSize };
  return {
    model: dir,
    format,
    config,
    parameters: parameterCounts(createModel(config)),
    weights,
    tokenizer,
  };
}

/** A config value in one line: objects (attention specs, per-layer settings) as JSON, never "[object Object]". */
export function configValue(value: unknown): string {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export async function info(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.model === undefined) throw new UsageError('--model DIR is required (transformer info --help)');
  const dir = values.model;
  const report = await readFolder(dir);
  if (values.json) {
    console.log(JSON.stringify(report));
    return 0;
  }
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `model folder ${dir}${report.format === 'marian' ? ' (a Hugging Face Marian folder)' : ''}`,
    '',
    'config:',
  ];
  for (const [key, value] of Object.entries(report.config)) lines.push(`  ${key.padEnd(20)} ${configValue(value)}`);
  lines.push('', `  ${'parameters'.padEnd(28)} ${'count'.padStart(13)}`);
  for (const { module, parameters } of report.parameters.modules) {
    const label = module.includes('.') ? `  ${module}` : module;
    lines.push(`  ${label.padEnd(28)} ${n(parameters).padStart(13)}`);
  }
  lines.push(`  ${'total'.padEnd(28)} ${n(report.parameters.total).padStart(13)}`, '');
  lines.push(
    report.weights === null
      ? `weights: no ${WEIGHTS_FILE}`
      : `weights: ${report.weights.file}, ${report.weights.tensors} tensors, ${n(report.weights.bytes)} bytes`,
  );
  lines.push(
    report.tokenizer === null
      ? 'tokenizer: none'
      : `tokenizer: ${report.tokenizer.file}, ${n(report.tokenizer.vocabSize)} pieces`,
  );
  console.log(lines.join('\n'));
  return 0;
}
