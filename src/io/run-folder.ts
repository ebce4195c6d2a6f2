// The run folder's layout, spelled here alone (docs/training.md lists it): the options it was started
// with (train.json, lm.json), checkpoints/last (the resumable checkpoint), checkpoints/step-N.safetensors
// (weights for averaging: listed, pruned), metrics.jsonl (io/metrics-file.ts), and the best weights as a
// model folder. Also what a crash can leave: atomic writes go through temporary names (`*.tmp` files,
// `last.tmp-PID` and `last.old-PID` folders), which a kill -9 or a full disk leaves behind.

import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The translation trainer's options and data fingerprints (cli/train-run.ts writes it). */
export const TRAIN_OPTIONS_FILE = 'train.json';
/** The language-model trainer's options. */
export const LM_OPTIONS_FILE = 'lm.json';

const CHECKPOINTS = 'checkpoints';
const STEP_CHECKPOINT = /^step-(\d{8,})\.safetensors$/;

/** The folder of a run's checkpoints. */
export function checkpointsFolder(runDir: string): string {
  return join(runDir, CHECKPOINTS);
}

/** The resumable checkpoint (weights, Adam moments, step, random state, data position). */
export function lastCheckpoint(runDir: string): string {
  return join(runDir, CHECKPOINTS, 'last');
}

/** The weights at `step`, kept for averaging. */
export function stepCheckpoint(runDir: string, step: number): string {
  return join(runDir, CHECKPOINTS, `step-${String(step).padStart(8, '0')}.safetensors`);
}

/** The run's step checkpoints, oldest first (by step number); none when there is no checkpoints folder. */
export function listStepCheckpoints(runDir: string): { step: number; path: string }[] {
  const folder = checkpointsFolder(runDir);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((name) => ({ name, match: STEP_CHECKPOINT.exec(name) }))
    .filter((f) => f.match !== null)
    .map((f) => ({ step: Number(f.match![1]), path: join(folder, f.name) }))
    .sort((a, b) => a.step - b.step);
}

/** Removes all but the newest `keep` step checkpoints. */
export function pruneStepCheckpoints(runDir: string, keep: number): void {
  const all = listStepCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old.path, { force: true });
}

/** True for the name of a temporary file (`*.tmp`) or checkpoint folder (`*.tmp-PID`, `*.old-PID`). */
export function isTemporaryName(name: string): boolean {
  return /\.tmp$/.test(name) || /\.(tmp|old)-\d+$/.test(name);
}

/** True for a temporary file or folder, or a file inside a temporary folder. */
function isTemporary(path: string): boolean {
  return isTemporaryName(basename(path)) || isTemporaryName(basename(dirname(path)));
}

/**
 * Runs a write of `target` and makes a system error it throws name `target`: a failed write(2) names no
 * file at all, and a failure inside a temporary file or folder would name a path the user never asked for.
 */
export function namingTarget<T>(target: string, write: () => T): T {
  const rename = (error: unknown): never => {
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && (e.path === undefined || isTemporary(e.path))) {
      e.message = e.path === undefined ? `${e.message} (${target})` : e.message.replaceAll(e.path, target);
      e.path = target;
    }
    throw error;
  };
  try {
    const result = write();
    return (result instanceof Promise ? result.catch(rename) : result) as T;
  } catch (error) {
    return rename(error);
  }
}

/** Removes what interrupted writes left in the given folders; returns the names removed. */
export function removeStaleFiles(...folders: string[]): string[] {
  const removed: string[] = [];
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (!isTemporaryName(name)) continue;
      rmSync(join(folder, name), { recursive: true, force: true });
      removed.push(join(folder, name));
    }
  }
  return removed;
}

/** The encoder-only trainer's task, data files and options (cli/train-encoder.ts writes it). */
export const ENCODER_OPTIONS_FILE = 'encoder.json';
