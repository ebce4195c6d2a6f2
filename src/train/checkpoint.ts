// Training checkpoints: everything a resumed run needs to continue exactly as if never stopped
// (weights, Adam moments, step, random generator, data position), written as one folder that appears
// atomically: files go to a temporary folder, which is then renamed into place.

import { InputError } from '../errors.js';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { namingTarget } from '../io/run-folder.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../io/safetensors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { assignParameters } from '../io/model-folder.js';
import type { Module } from '../nn/module.js';
import type { DataPosition } from '../data/batch-iterator.js';
import type { Adam } from './adam.js';

export const CHECKPOINT_FORMAT = 'transformer-ts/checkpoint';
export const CHECKPOINT_VERSION = 1;

/** What a checkpoint keeps beside the weights and optimizer: step, random state, data position, best score, time. */
export interface TrainingState {
  /** Updates made so far. */
  step: number;
  generator: { state: number; spareNormal: number | null };
  data: DataPosition;
  /** Best validation score so far and its step (higher is better), or null before any validation. */
  best: { score: number; step: number } | null;
  /** Seconds of training before this checkpoint, summed over resumed runs. */
  elapsedSeconds: number;
  targetTokens: number;
}

export class CheckpointError extends InputError {
  override name = 'CheckpointError';
}

function weights(model: Module): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [name, p] of model.namedParameters()) out.set(name, { shape: p.shape, data: p.dense() as Float32Array });
  return out;
}

/** Writes the model's weights alone (step checkpoints, the best model), atomically. */
export function saveWeights(path: string, model: Module, metadata: Record<string, string> = {}): void {
  namingTarget(path, () => writeSafetensors(path, weights(model), metadata));
}

/**
 * Writes a full checkpoint folder at `dir`, replacing any previous one atomically. A crash between the
 * two renames leaves `dir.old-PID` and a complete `dir.tmp-PID`, which resume.ts sorts out. Write errors
 * name `dir`, not the temporary folder.
 */
export function saveCheckpoint(dir: string, model: Module, optimizer: Adam, state: TrainingState): void {
  const temp = `${dir}.tmp-${process.pid}`;
  try {
    namingTarget(dir, () => writeCheckpointFolder(temp, dir, model, optimizer, state));
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

function writeCheckpointFolder(temp: string, dir: string, model: Module, optimizer: Adam, state: TrainingState): void {
  const old = `${dir}.old-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  saveWeights(join(temp, 'model.safetensors'), model);
  const moments = new Map<string, TensorToWrite>();
  [...model.namedParameters().keys()].forEach((name, i) => {
    const { m, v } = optimizer.moments[i];
    moments.set(`m.${name}`, { shape: m.shape, data: m.dense() as Float32Array });
    moments.set(`v.${name}`, { shape: v.shape, data: v.dense() as Float32Array });
  });
  writeSafetensors(join(temp, 'optimizer.safetensors'), moments, { adamStep: String(optimizer.step) });
  const json = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, adamStep: optimizer.step, ...state };
  writeFileAtomic(join(temp, 'state.json'), [Buffer.from(`${JSON.stringify(json, null, 2)}\n`)]);
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(temp, dir);
  rmSync(old, { recursive: true, force: true });
}

/** Restores weights and optimizer moments in place and returns the training state. */
export function loadCheckpoint(dir: string, model: Module, optimizer: Adam): TrainingState {
  const statePath = join(dir, 'state.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(`${statePath}: cannot read the checkpoint state (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new CheckpointError(`${statePath}: expected a JSON object`);
  if (raw.format !== CHECKPOINT_FORMAT || raw.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`${statePath}: expected format "${CHECKPOINT_FORMAT}" version ${CHECKPOINT_VERSION}`);
  }
  checkState(raw, statePath);
  const weightsPath = join(dir, 'model.safetensors');
  assignParameters(model, readSafetensors(weightsPath).tensors, weightsPath);
  const momentsPath = join(dir, 'optimizer.safetensors');
  const moments = readSafetensors(momentsPath).tensors;
  [...model.namedParameters().keys()].forEach((name, i) => {
    for (const [kind, target] of [
      ['m', optimizer.moments[i].m],
      ['v', optimizer.moments[i].v],
    ] as const) {
      const stored = moments.get(`${kind}.${name}`);
      if (stored === undefined || stored.data.length !== target.size) {
        throw new CheckpointError(`${momentsPath}: missing or mis-shaped ${kind}.${name}`);
      }
      target.dense().set(stored.data);
    }
  });
  optimizer.step = raw.adamStep as number;
  const { step, generator, data, best, elapsedSeconds, targetTokens } = raw as unknown as TrainingState;
  return { step, generator, data, best, elapsedSeconds, targetTokens };
}

/** Checks the fields of state.json before any weight is read, so a damaged file fails with its field named. */
function checkState(raw: Record<string, unknown>, statePath: string): void {
  const fail = (field: string, expected: string, value: unknown) => {
    throw new CheckpointError(
      `${statePath}: "${field}" must be ${expected}, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  };
  const count = (field: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(field, 'a whole number >= 0', value);
  };
  const number = (field: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, 'a finite number', value);
  };
  for (const field of ['step', 'adamStep', 'targetTokens']) count(field, raw[field]);
  number('elapsedSeconds', raw.elapsedSeconds);
  const generator = raw.generator as TrainingState['generator'] | undefined;
  if (typeof generator !== 'object' || generator === null) fail('generator', 'an object', generator);
  count('generator.state', generator!.state);
  if (generator!.spareNormal !== null) number('generator.spareNormal', generator!.spareNormal);
  const data = raw.data as Record<string, unknown> | undefined;
  if (typeof data !== 'object' || data === null) fail('data', 'an object', data);
  for (const field of ['epoch', 'index', 'seed']) count(`data.${field}`, data![field]);
  const best = raw.best as Record<string, unknown> | null | undefined;
  if (best !== null) {
    if (typeof best !== 'object') fail('best', 'null or an object', best);
    number('best.score', best!.score);
    count('best.step', best!.step);
  }
}
