// Starting a model worker: its first message says whether the model loaded. Shared by the translator and
// the runner of the other model kinds, so that both report a bad folder the same way.

import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.js';
import type { ModelSummary } from './protocol.js';

/** The first reply of a model worker: loaded, or why not. */
type FirstReply =
  { type: 'ready'; model: ModelSummary } | { type: 'failed'; message: string; input: boolean } | { type: string };

/**
 * Starts the worker at `url` with `workerData` and waits until its model is loaded; a bad model folder
 * rejects with its message (an InputError when the folder is at fault), and the worker is stopped.
 */
export async function startModelWorker(
  url: URL,
  workerData: Record<string, unknown>,
  name: string,
): Promise<{ worker: Worker; model: ModelSummary }> {
  const worker = new Worker(url, { workerData });
  // The listeners go once the first message has arrived (not with removeAllListeners, which would also
  // take the Worker's own).
  let onMessage!: (reply: FirstReply) => void;
  let onError!: (error: Error) => void;
  let onExit!: (code: number) => void;
  try {
    const model = await new Promise<ModelSummary>((resolve, reject) => {
      onMessage = (reply) => {
        if (reply.type === 'ready' && 'model' in reply) resolve(reply.model);
        else if (reply.type === 'failed' && 'message' in reply)
          reject(reply.input ? new InputError(reply.message) : new Error(reply.message));
        else reject(new Error(`unexpected worker reply ${reply.type}`));
      };
      onError = reject;
      onExit = (code) => reject(new Error(`the ${name} stopped (exit code ${code})`));
      worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    }).finally(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
    return { worker, model };
  } catch (error) {
    await worker.terminate();
    throw error;
  }
}
