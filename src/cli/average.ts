// `transformer average`: checkpoint averaging (the paper's section 6.1: the base models average the last
// 5 checkpoints, written at 10-minute intervals). Either explicit files into one file, or the newest N
// step checkpoints of a training run into a model folder (config.json, tokenizer.json, model.safetensors).
// Every file is written atomically (a temporary file, then a rename), and a failed write names the file.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CONFIG_FILE,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
  toBf16Weights,
  type WeightsDType,
} from '../io/model-folder.js';
import { writeFileAtomic } from '../io/atomic.js';
import { writeSafetensors, type TensorToWrite } from '../io/safetensors.js';
import { AverageError, averageSafetensors } from '../train/average.js';
import { checkpointsFolder, listStepCheckpoints, namingTarget } from '../io/run-folder.js';
import { UsageError, integerFlag } from './flags.js';

const USAGE =
  'usage: transformer average --output OUT.safetensors IN1.safetensors IN2.safetensors ... [--dtype float32|bf16]\n' +
  '       transformer average --run RUN_DIR --last N [--output DIR] [--dtype float32|bf16]   (DIR defaults to RUN_DIR/averaged)\n' +
  '  --dtype bf16 stores the weights as BF16: half the size, read back as float32';

/** The newest `last` step checkpoints of a run folder, oldest first, ordered by step number. */
export function newestCheckpoints(runDir: string, last: number): string[] {
  const folder = checkpointsFolder(runDir);
  if (!existsSync(folder)) throw new AverageError(`${folder}: no such folder; is ${runDir} a training run?`);
  const steps = listStepCheckpoints(runDir);
  if (steps.length < last) {
    throw new AverageError(
      `${folder}: ${steps.length} step checkpoints (step-NNNNNNNN.safetensors), asked for ${last}`,
    );
  }
  return steps.slice(steps.length - last).map((f) => f.path);
}

function averageRun(runDir: string, last: number, outDir: string, dtype: WeightsDType): string[] {
  const inputs = newestCheckpoints(runDir, last);
  const config = join(runDir, CONFIG_FILE);
  if (!existsSync(config)) throw new AverageError(`${config}: missing; the averaged model folder needs it`);
  const tensors = averageSafetensors(inputs);
  mkdirSync(outDir, { recursive: true });
  writeWeights(join(outDir, WEIGHTS_FILE), dtype === 'bf16' ? toBf16Weights(tensors) : tensors, {
    format: MODEL_FORMAT,
    version: String(MODEL_FORMAT_VERSION),
    averaged: inputs.map((p) => basename(p)).join(','),
  });
  copyAtomic(config, join(outDir, CONFIG_FILE));
  const tokenizer = join(runDir, TOKENIZER_FILE);
  if (existsSync(tokenizer)) copyAtomic(tokenizer, join(outDir, TOKENIZER_FILE));
  return inputs;
}

/** Writes through a temporary file and a rename; a failure names `path`, not the temporary file. */
function writeWeights(path: string, tensors: Map<string, TensorToWrite>, metadata: Record<string, string>): void {
  namingTarget(path, () => writeSafetensors(path, tensors, metadata));
}

function copyAtomic(from: string, to: string): void {
  const bytes = readFileSync(from);
  namingTarget(to, () => writeFileAtomic(to, [bytes]));
}

export async function average(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      output: { type: 'string' },
      run: { type: 'string' },
      last: { type: 'string' },
      dtype: { type: 'string', default: 'float32' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const help = 'see transformer average --help';
  const dtype = values.dtype as WeightsDType;
  if (dtype !== 'float32' && dtype !== 'bf16') throw new UsageError(`--dtype must be float32 or bf16, got "${dtype}"`);
  if (values.run === undefined && values.last !== undefined) throw new UsageError(`--last needs --run; ${help}`);
  if (values.run !== undefined && positionals.length > 0) {
    throw new UsageError(`give either --run or input files, not both; ${help}`);
  }
  if (values.run === undefined && (positionals.length === 0 || values.output === undefined)) {
    throw new UsageError(`--output and at least one input file are needed; ${help}`);
  }
  if (values.run !== undefined) {
    const last = integerFlag('--last', values.last, 1);
    const outDir = values.output ?? join(values.run, 'averaged');
    const inputs = averageRun(values.run, last, outDir, dtype);
    console.log(`averaged ${inputs.map((p) => basename(p)).join(', ')} into ${outDir}`);
  } else {
    const tensors = averageSafetensors(positionals);
    writeWeights(values.output!, dtype === 'bf16' ? toBf16Weights(tensors) : tensors, {
      averaged: positionals.join(','),
    });
    console.log(`averaged ${positionals.length} files into ${values.output}`);
  }
  return 0;
}
