// Reads a run folder's metrics.jsonl off the server's main thread (parsing a long run takes a while)
// and sends back only what the page plots: the curves thinned to a few thousand points. Started by
// src/serve/metrics.ts with workerData { runDir, maxPoints }.

import { parentPort, workerData } from 'node:worker_threads';

import { MetricsFileError, readMetrics } from '../io/metrics-file.js';
import type { MetricsWorkerReply } from './metrics.js';

const { runDir, maxPoints } = workerData as { runDir: string; maxPoints: number };

function curves(): MetricsWorkerReply {
  try {
    const run = readMetrics(runDir);
    const every = Math.max(1, Math.ceil(run.steps.length / maxPoints));
    const steps = run.steps.filter((_, i) => i % every === 0 || i === run.steps.length - 1);
    return {
      ok: true,
      curves: {
        steps: steps.map((s) => ({ step: s.step, loss: s.loss, lr: s.lr, elapsedSeconds: s.elapsedSeconds })),
        validations: run.validations,
        totalSteps: run.steps.length,
      },
    };
  } catch (error) {
    const bad = error instanceof MetricsFileError;
    return { ok: false, message: (error as Error).message, stack: bad ? null : ((error as Error).stack ?? null) };
  }
}

parentPort!.postMessage(curves());
