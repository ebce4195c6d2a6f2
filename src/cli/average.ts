// `transformer average`: checkpoint averaging (the paper's section 6.1: the base models average the last
// 5 checkpoints, written at 10-minute intervals). Either explicit files into one file, or the newest N
// step checkpoints of a training run into a model folder (config.json, tokenizer.json, model.safetensors).

import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, TOKENIZER_FILE, WEIGHTS_FILE } from '../io/model-folder.js';
import { SafetensorsError, writeSafetensors } from '../io/safetensors.js';
import { AverageError, averageSafetensors } from '../train/average.js';
import { UsageError, integerFlag } from './flags.js';

const USAGE =
  'usage: transformer average --output OUT.safetensors IN1.safetensors IN2.safetensors ...\n' +
  '       transformer average --run RUN_DIR --last N [--output DIR]   (DIR defaults to RUN_DIR/averaged)';
const STEP_FILE = /^step-(\d{8,})\.safetensors$/;

/** The newest `last` step checkpoints of a run folder, oldest first, ordered by step number. */
export function newestCheckpoints(runDir: string, last: number): string[] {
  const folder = join(runDir, 'checkpoints');
  if (!existsSync(folder)) throw new AverageError(`${folder}: no such folder; is ${runDir} a training run?`);
  const steps = readdirSync(folder)
    .map((name) => ({ name, match: STEP_FILE.exec(name) }))
    .filter((f) => f.match !== null)
    .map((f) => ({ name: f.name, step: Number(f.match![1]) }))
    .sort((a, b) => a.step - b.step);
  if (steps.length < last) {
    throw new AverageError(
      `${folder}: ${steps.length} step checkpoints (step-NNNNNNNN.safetensors), asked for ${last}`,
    );
  }
  return steps.slice(steps.length - last).map((f) => join(folder, f.name));
}

function averageRun(runDir: string, last: number, outDir: string): string[] {
  const inputs = newestCheckpoints(runDir, last);
  const config = join(runDir, CONFIG_FILE);
  if (!existsSync(config)) throw new AverageError(`${config}: missing; the averaged model folder needs it`);
  const tensors = averageSafetensors(inputs);
  mkdirSync(outDir, { recursive: true });
  writeSafetensors(join(outDir, WEIGHTS_FILE), tensors, {
    format: MODEL_FORMAT,
    version: String(MODEL_FORMAT_VERSION),
    averaged: inputs.map((p) => basename(p)).join(','),
  });
  copyFileSync(config, join(outDir, CONFIG_FILE));
  const tokenizer = join(runDir, TOKENIZER_FILE);
  if (existsSync(tokenizer)) copyFileSync(tokenizer, join(outDir, TOKENIZER_FILE));
  return inputs;
}

export async function average(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { output: { type: 'string' }, run: { type: 'string' }, last: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.run === undefined && values.last !== undefined) throw new UsageError(`--last needs --run\n${USAGE}`);
  if (values.run !== undefined && positionals.length > 0) {
    throw new UsageError(`give either --run or input files, not both\n${USAGE}`);
  }
  if (values.run === undefined && (positionals.length === 0 || values.output === undefined)) {
    throw new UsageError(`--output and at least one input file are needed\n${USAGE}`);
  }
  try {
    if (values.run !== undefined) {
      const last = integerFlag('--last', values.last, 1);
      const outDir = values.output ?? join(values.run, 'averaged');
      const inputs = averageRun(values.run, last, outDir);
      console.log(`averaged ${inputs.map((p) => basename(p)).join(', ')} into ${outDir}`);
    } else {
      writeSafetensors(values.output!, averageSafetensors(positionals), { averaged: positionals.join(',') });
      console.log(`averaged ${positionals.length} files into ${values.output}`);
    }
  } catch (error) {
    if (!(error instanceof AverageError || error instanceof SafetensorsError)) throw error;
    console.error(`transformer average: ${error.message}`);
    return 1;
  }
  return 0;
}
