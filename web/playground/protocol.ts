// The messages between the playground page and its training worker.

import type { RunnerEvent, RunnerOptions } from './runner.js';
import type { TrainingSettings } from './session.js';
import type { TaskChoice } from './tasks.js';

export interface StartMessage {
  type: 'start';
  task: TaskChoice;
  training: TrainingSettings;
  run: Omit<RunnerOptions, 'watch'>;
  /** Try the wasm backend (else js); the one-thread build when threads is 1. */
  backend: 'wasm' | 'js';
}

/** Questions about the model, answered between training slices. */
export type Question =
  | { kind: 'translate'; lines: string[]; beam: number }
  | { kind: 'attention'; sentence: string }
  | { kind: 'step-through'; sentence: string; stack: 'encoder' | 'decoder'; head: number }
  | { kind: 'positional'; length: number }
  | { kind: 'files' }
  | { kind: 'threads'; threads: number };

export type ToWorker =
  StartMessage | { type: 'pause' | 'resume' | 'stop' } | { type: 'ask'; id: number; question: Question };

/** Which backend trains, and with how many threads. */
export interface BackendReport {
  name: 'wasm' | 'js';
  flavour: 'single' | 'threads' | null;
  threads: number;
  /** Threads the build could use (the pool's size). */
  maxThreads: number;
  isolated: boolean;
  /** Why it is not wasm, or why wasm has one thread: said once. */
  note: string | null;
}

export interface ReadyReport {
  parameters: number;
  vocabSize: number;
  config: { encoderLayers: number; decoderLayers: number; dModel: number; dFF: number; h: number; attention: string };
  trainPairs: number;
  /** Held-out pairs (never trained on), for the page's examples. */
  heldOut: { source: string; target: string }[];
}

export type FromWorker =
  | { type: 'loaded' }
  | { type: 'backend'; report: BackendReport }
  | { type: 'ready'; report: ReadyReport }
  | { type: 'event'; event: RunnerEvent }
  | { type: 'answer'; id: number; result: unknown }
  | { type: 'error'; id: number | null; message: string };
