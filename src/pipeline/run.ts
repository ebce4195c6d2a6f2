// Running a task's search the async way (decode/stepwise.ts): between steps the event loop runs, the
// signal is checked and the caller hears of progress; a transformers.js-style streamer gets the new
// tokens of each step.

import { drainAsync, type StepTokens, type Steps } from '../decode/stepwise.js';
import { PipelineError } from './options.js';

/** transformers.js's streamer shape: `put` gets the new token ids of each step ([[id, ...]]), `end` the end. */
export interface Streamer {
  /** Called with the new token ids of a step, as [[id, ...]]. */
  put(ids: number[][]): void;
  /** Called once the output is complete. */
  end(): void;
}

/** What every pipeline call takes besides its task's options. */
export interface CallOptions {
  /** Cancels the call between two decoding steps: the promise rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
  /** Called as inputs finish: how many are done, of how many. */
  onProgress?: (done: number, total: number) => void;
  /** Called after every decoding step with the tokens so far of each hypothesis of the batch being decoded (null during beam search). */
  onStep?: (tokens: StepTokens) => void;
  /** Gets the tokens as they are chosen (one input at a time); see TextStreamer. */
  streamer?: Streamer;
}

/**
 * Drains a search with pauses; a streamer hears of every new token of the one hypothesis, and of the
 * final one's remaining tokens (all of them, for beam search) before `end`.
 */
export async function runSteps<R>(
  steps: Steps<R>,
  options: CallOptions,
  inputs: number,
  finalTokens: (result: R) => readonly number[],
): Promise<R> {
  const { streamer, signal } = options;
  if (streamer !== undefined && inputs !== 1)
    throw new PipelineError(`a streamer follows one input at a time, got ${inputs}`);
  let put = 0;
  const onStep = (tokens: StepTokens) => {
    options.onStep?.(tokens);
    if (streamer === undefined || tokens === null || tokens.length !== 1) return;
    const fresh = tokens[0].slice(put);
    put += fresh.length;
    if (fresh.length > 0) streamer.put([fresh]);
  };
  const result = await drainAsync(steps, { signal, onStep });
  if (streamer !== undefined) {
    const rest = finalTokens(result).slice(put);
    if (rest.length > 0) streamer.put([rest]);
    streamer.end();
  }
  return result;
}
