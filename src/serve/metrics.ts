// GET /api/metrics: a run's training curves. metrics.jsonl grows through a run and may reach hundreds
// of megabytes, so it is read and parsed in a worker thread (the server keeps answering meanwhile) and
// the result is kept until the file's modification time or size changes.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { ValidationRecord } from '../io/metrics-file.js';
import { METRICS_FILE } from '../io/metrics-file.js';
import { HttpError } from './http.js';
import { hidePath, shownPath } from './security.js';

/** Most points of a curve sent to the page; longer runs are thinned evenly (the last point kept). */
const MAX_CURVE_POINTS = 2000;

export interface RunCurves {
  steps: { step: number; loss: number; lr: number; elapsedSeconds: number }[];
  validations: ValidationRecord[];
  /** Steps in the file, before thinning. */
  totalSteps: number;
}

export type MetricsWorkerReply =
  | { ok: true; curves: RunCurves }
  /** stack is null for a bad file and set for anything else (a bug). */
  | { ok: false; message: string; stack: string | null };

export class RunMetrics {
  /** The run folder as the API shows it: no absolute path. */
  readonly folder: string;
  private cached: { version: string; curves: Promise<RunCurves> } | null = null;
  private reading = false;

  constructor(private readonly runDir: string) {
    this.folder = shownPath(runDir);
  }

  /** The reply of /api/metrics: { folder, steps, validations, totalSteps }. */
  async reply(): Promise<RunCurves & { folder: string }> {
    const path = join(this.runDir, METRICS_FILE);
    let version: string;
    try {
      const stats = await stat(path);
      version = `${stats.mtimeMs} ${stats.size}`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem =
        code === 'ENOENT'
          ? `no such file; is ${this.folder} a run folder written by transformer train?`
          : `cannot read it (${code})`;
      throw new HttpError(500, `${this.folder}/${METRICS_FILE}: ${problem}`);
    }
    // One reading at a time: requests that arrive during one share it (even if a training run has added a
    // line since), later ones share its result until the file changes.
    if (this.cached === null || (this.cached.version !== version && !this.reading)) {
      this.reading = true;
      const curves = this.read();
      curves.then(
        () => (this.reading = false),
        () => (this.reading = false),
      );
      this.cached = { version, curves };
    }
    return { folder: this.folder, ...(await this.cached.curves) };
  }

  private read(): Promise<RunCurves> {
    const worker = new Worker(new URL('./metrics-worker.js', import.meta.url), {
      workerData: { runDir: this.runDir, maxPoints: MAX_CURVE_POINTS },
    });
    worker.unref(); // a reading under way does not keep a stopped server's process alive
    return new Promise<RunCurves>((resolve, reject) => {
      worker.once('message', (reply: MetricsWorkerReply) => {
        if (reply.ok) resolve(reply.curves);
        else {
          if (reply.stack !== null) console.error(reply.stack);
          reject(new HttpError(500, hidePath(reply.message, this.runDir, this.folder)));
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the metrics reader stopped (exit code ${code})`)));
    });
  }
}
