// Choosing the checkpoint a run resumes from. A save writes `last.tmp-PID`, renames `last` to
// `last.old-PID`, renames the new folder to `last`, then removes the old one; a kill between those steps
// leaves several candidates. The newest that reads whole wins, whatever the directory order; it becomes
// `last` and the others go, so that an older one can never be resumed later by mistake.

import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { CheckpointError, type TrainingState } from './checkpoint.js';

interface Candidate {
  path: string;
  step: number;
}

/** `dir` and the `dir.old-PID` / `dir.tmp-PID` folders an interrupted save may have left beside it. */
export function checkpointCandidates(dir: string): string[] {
  const parent = dirname(dir);
  if (!existsSync(parent)) return [];
  const name = basename(dir);
  const leftovers = readdirSync(parent)
    .filter((n) => n.startsWith(`${name}.old-`) || n.startsWith(`${name}.tmp-`))
    .map((n) => join(parent, n));
  return [dir, ...leftovers].filter((p) => existsSync(p) && statSync(p).isDirectory());
}

/** The step recorded in a checkpoint's state.json; CheckpointError when it cannot be read. */
export function checkpointStep(path: string): number {
  const statePath = join(path, 'state.json');
  let step: unknown;
  try {
    step = (JSON.parse(readFileSync(statePath, 'utf8')) as { step?: unknown }).step;
  } catch (error) {
    throw new CheckpointError(`${statePath}: cannot read the checkpoint state (${(error as Error).message})`);
  }
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0)
    throw new CheckpointError(`${statePath}: "step" must be a whole number, got ${JSON.stringify(step)}`);
  return step;
}

/**
 * Loads the newest checkpoint among the candidates for `dir` with `load`, moves it to `dir` and removes the
 * others. A candidate that cannot be read is skipped with a warning; when none can, the error names each.
 * Returns null when there is no candidate at all.
 */
export function resumeNewest(
  dir: string,
  load: (path: string) => TrainingState,
  warn: (message: string) => void,
): TrainingState | null {
  const paths = checkpointCandidates(dir);
  if (paths.length === 0) return null;
  const readable: Candidate[] = [];
  const broken: string[] = [];
  for (const path of paths) {
    try {
      readable.push({ path, step: checkpointStep(path) });
    } catch (error) {
      broken.push((error as Error).message);
    }
  }
  // Newest first; at equal steps `dir` itself, as it was complete when renamed into place.
  readable.sort((a, b) => b.step - a.step || Number(b.path === dir) - Number(a.path === dir));
  for (const [i, candidate] of readable.entries()) {
    let state: TrainingState;
    try {
      state = load(candidate.path);
    } catch (error) {
      if (!(error instanceof InputError || typeof (error as NodeJS.ErrnoException).code === 'string')) throw error;
      broken.push((error as Error).message);
      continue;
    }
    for (const message of broken) warn(`skipped an unreadable checkpoint: ${message}`);
    for (const older of readable.slice(i + 1))
      warn(`removed the older checkpoint ${older.path} (step ${older.step}; resuming from step ${state.step})`);
    promote(candidate.path, dir, paths);
    return state;
  }
  const what = paths.length === 1 ? paths[0] : `any of ${paths.length} checkpoints`;
  throw new CheckpointError(
    `cannot resume from ${what}: ${broken.join('; ')}; to train from the start instead, remove ${dir}`,
  );
}

/** Makes `chosen` the folder at `dir` and removes every other candidate. */
function promote(chosen: string, dir: string, paths: readonly string[]): void {
  if (chosen !== dir) {
    rmSync(dir, { recursive: true, force: true });
    renameSync(chosen, dir);
  }
  for (const path of paths) if (path !== chosen && path !== dir) rmSync(path, { recursive: true, force: true });
}
