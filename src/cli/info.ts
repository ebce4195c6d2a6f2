// `transformer info --model DIR [--json]`: a model folder's config and its parameter count per module.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { loadTokenizer, ModelFolderError, readModelConfig, TOKENIZER_FILE, WEIGHTS_FILE } from '../io/model-folder.js';
import { readSafetensorsHeader, SafetensorsError } from '../io/safetensors.js';
import { createModel } from '../model/index.js';
import type { Module } from '../nn/module.js';
import { UsageError } from './flags.js';

const USAGE = 'usage: transformer info --model DIR [--json]';

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

export async function info(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.model === undefined) throw new UsageError(`--model DIR is required\n${USAGE}`);
  const dir = values.model;
  let report;
  try {
    const config = readModelConfig(dir);
    const weightsPath = join(dir, WEIGHTS_FILE);
    const header = existsSync(weightsPath) ? readSafetensorsHeader(weightsPath) : null;
    const weights =
      header === null
        ? null
        : { file: WEIGHTS_FILE, tensors: header.entries.length, bytes: statSync(weightsPath).size };
    const tokenizer = await loadTokenizer(dir);
    report = {
      model: dir,
      config,
      parameters: parameterCounts(createModel(config)),
      weights,
      tokenizer: tokenizer === null ? null : { file: TOKENIZER_FILE, vocabSize: tokenizer.vocabSize },
    };
  } catch (error) {
    if (error instanceof ModelFolderError || error instanceof SafetensorsError) throw new UsageError(error.message);
    throw error;
  }
  if (values.json) {
    console.log(JSON.stringify(report));
    return 0;
  }
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [`model folder ${dir}`, '', 'config:'];
  for (const [key, value] of Object.entries(report.config)) lines.push(`  ${key.padEnd(20)} ${String(value)}`);
  lines.push('', `  ${'parameters'.padEnd(28)} ${'count'.padStart(13)}`);
  for (const { module, parameters } of report.parameters.modules) {
    const label = module.includes('.') ? `  ${module}` : module;
    lines.push(`  ${label.padEnd(28)} ${n(parameters).padStart(13)}`);
  }
  lines.push(`  ${'total'.padEnd(28)} ${n(report.parameters.total).padStart(13)}`, '');
  lines.push(
    report.weights === null
      ? `weights: no ${WEIGHTS_FILE}`
      : `weights: ${WEIGHTS_FILE}, ${report.weights.tensors} tensors, ${n(report.weights.bytes)} bytes`,
  );
  lines.push(
    report.tokenizer === null
      ? 'tokenizer: none'
      : `tokenizer: ${TOKENIZER_FILE}, ${n(report.tokenizer.vocabSize)} pieces`,
  );
  console.log(lines.join('\n'));
  return 0;
}
