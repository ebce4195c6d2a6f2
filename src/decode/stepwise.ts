// A search written once, run two ways: each search is a generator that yields after every decoding step.
// The synchronous functions (greedy, beamSearch, sample, ...) drain it in one go; the async forms drain it
// with a pause on the event loop between steps, so that a page or a server stays responsive, an
// AbortSignal can stop it, and the tokens chosen so far can be streamed. No browser or Node API is
// assumed beyond a timer.

import * as T from '../tensor/index.js';

/**
 * What a search yields after each step: the tokens so far of every hypothesis it decodes, in the order of
 * its sources, when it keeps one per source (greedy, sampling); null for beam search, whose best
 * hypothesis is only known at the end.
 */
export type StepTokens = readonly (readonly number[])[] | null;

/** A search, one decoding step per `next()`; its return value is the search's result. */
export type Steps<R> = Generator<StepTokens, R, void>;

/** Runs a search to its end (what the synchronous functions do). */
export function drain<R>(steps: Steps<R>): R {
  return T.noGrad(() => {
    for (;;) {
      const next = steps.next();
      if (next.done) return next.value;
    }
  });
}

/** The error an aborted call rejects with: the signal's reason, or a DOMException named "AbortError". */
export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** What the async forms of decoding take: a signal to stop them and a callback per step. */
export interface AsyncDecodeOptions {
  /** Stops the search between two steps; the promise then rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
  /** Called after every decoding step with the tokens so far (see StepTokens). */
  onStep?: (tokens: StepTokens) => void;
}

/**
 * Runs a search with a pause on the event loop after every step. Each step runs without gradients, as
 * the synchronous form does, and the search's own cleanup (the decoding state) runs on abort too.
 */
export async function drainAsync<R>(steps: Steps<R>, options: AsyncDecodeOptions = {}): Promise<R> {
  const { signal, onStep } = options;
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const next = T.noGrad(() => steps.next());
      if (next.done) return next.value;
      onStep?.(next.value);
      await nextTask();
    }
  } finally {
    T.noGrad(() => steps.return(undefined as R));
  }
}

/** Resolves on a later turn of the event loop (a macrotask, so that input, timers and I/O get through). */
export function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    // Browsers clamp nested setTimeout(0) to 4 ms; a message is delivered on the next task without delay.
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
