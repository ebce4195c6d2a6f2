// Training a translation model as in section 5: token-based batches, Adam with a warm-up schedule,
// label smoothing, dropout; validation, checkpoints that resume exactly. The loop itself is loop.ts.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { defaultGenerator } from '../tensor/random.js';
import { BatchIterator, type BatchOptions } from '../data/batch-iterator.js';
import { planEpoch } from '../data/batching.js';
import { makeBatch, type Batch } from '../data/batch.js';
import type { ParallelCorpus } from '../data/corpus.js';
import { WEIGHTS_FILE } from '../io/model-folder.js';
import type { EncoderDecoder } from '../model/encoder-decoder.js';
import { abortError } from '../decode/stepwise.js';
import { Adam } from './adam.js';
import { runLoop, trainStep, TrainingDiverged, type StopReason } from './loop.js';
import { loadCheckpoint, saveCheckpoint, saveWeights, type TrainingState } from './checkpoint.js';
import { resumeNewest } from './resume.js';
import {
  checkpointsFolder,
  lastCheckpoint,
  pruneStepCheckpoints,
  removeStaleFiles,
  stepCheckpoint,
} from '../io/run-folder.js';
import { translationLoss } from './loss.js';
import { attentionPenalty } from '../model/efficient/penalty.js';
import { learningRate } from './schedule.js';
import type { TrainOptions } from './options.js';

export type { TrainOptions } from './options.js';

/** Validation loss, perplexity and BLEU. */
export interface Validation {
  loss: number;
  ppl: number;
  /** Greedy BLEU when the caller can decode, else null. */
  bleu: number | null;
}

/** What one update measured (the onStep event). */
export interface Progress {
  step: number;
  epoch: number;
  loss: number;
  ppl: number;
  lr: number;
  gradNorm: number;
  targetTokensPerSecond: number;
  elapsedSeconds: number;
}

/** What a Trainer reports, and the decoding it may ask the caller for. */
export interface TrainerEvents {
  /** After every update. */
  onStep?(p: Progress): void;
  /** After every validation, with whether it is the best so far. */
  onValidation?(step: number, v: Validation, isBest: boolean): void;
  /** Greedy BLEU on the validation set, if the caller provides decoding. */
  bleu?(model: EncoderDecoder): Promise<number>;
  /** Something the user should know that does not stop training (a skipped or removed checkpoint). */
  onWarning?(message: string): void;
}

export { TrainingDiverged, type StopReason } from './loop.js';

/** Trains a translation model as in section 5, resumably; `await trainer.run()`. */
export class Trainer {
  readonly optimizer: Adam;
  private readonly params: Tensor[];
  private stopRequested = false;

  constructor(
    readonly model: EncoderDecoder,
    private readonly train: ParallelCorpus,
    private readonly valid: ParallelCorpus | null,
    readonly runDir: string,
    readonly options: TrainOptions,
    private readonly events: TrainerEvents = {},
  ) {
    this.params = model.parameters();
    this.optimizer = new Adam(this.params, {
      beta1: options.beta1,
      beta2: options.beta2,
      eps: options.eps,
      weightDecay: options.weightDecay,
      decoupled: true,
    });
  }

  private get batchOptions(): BatchOptions {
    const c = this.model.config;
    return {
      maxTokens: this.options.maxTokens,
      seed: this.options.seed,
      padId: c.padId,
      bosId: c.bosId,
      eosId: c.eosId,
    };
  }

  /** Ends training after the current update, with a checkpoint (Ctrl-C). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /**
   * Trains until a limit or a stop request; resumes from the newest readable checkpoint in runDir/checkpoints.
   * An aborted `signal` stops it after the current update: the checkpoint is written (whole, as always) and
   * the promise rejects with the signal's reason (an AbortError); a later run resumes from there.
   */
  async run(options: { signal?: AbortSignal } = {}): Promise<{ state: TrainingState; reason: StopReason }> {
    const { signal } = options;
    const checkpoints = checkpointsFolder(this.runDir);
    mkdirSync(checkpoints, { recursive: true });
    const state = this.resume(lastCheckpoint(this.runDir));
    removeStaleFiles(this.runDir, checkpoints);
    const data = new BatchIterator(this.train, this.batchOptions, state.data);
    const started = performance.now();
    const elapsed = () => state.elapsedSeconds + (performance.now() - started) / 1000;
    const { validEvery, checkpointEvery, accumulate, schedule } = this.options;
    let tokensThisRun = 0;
    // What update n measured, for the report that follows it.
    let last = { epoch: 0, lr: 0, loss: 0, nll: 0, tokens: 0, gradNorm: 0 };
    this.model.train();
    const { reason } = await runLoop({
      limits: { steps: this.options.steps, minutes: this.options.minutes },
      startStep: state.step,
      elapsedSeconds: elapsed,
      stopRequested: () => this.stopRequested || signal?.aborted === true,
      update: (step) => {
        const epoch = data.position.epoch;
        const batches = Array.from({ length: accumulate }, () => data.next());
        const lr = learningRate(step, schedule);
        last = { epoch, lr, ...this.update(batches, lr) };
        return { loss: last.loss, gradNorm: last.gradNorm };
      },
      after: async (step) => {
        state.step = step;
        state.targetTokens += last.tokens;
        tokensThisRun += last.tokens;
        state.data = data.position;
        this.events.onStep?.({
          step,
          epoch: last.epoch,
          loss: last.loss / last.tokens,
          ppl: Math.exp(last.nll / last.tokens),
          lr: last.lr,
          gradNorm: last.gradNorm,
          targetTokensPerSecond: tokensThisRun / ((performance.now() - started) / 1000),
          elapsedSeconds: elapsed(),
        });
        const checkpointDue = checkpointEvery > 0 && step % checkpointEvery === 0;
        const validationDue = validEvery > 0 && step % validEvery === 0;
        if (checkpointDue) this.saveStep(step);
        const target = validationDue && (await this.validateAndKeepBest(state));
        if (checkpointDue || validationDue) this.save(state, elapsed());
        return target ? 'target' : null;
      },
      diverged: (step, loss, gradNorm) =>
        new TrainingDiverged(
          `training diverged at step ${step} (loss ${loss}, gradient norm ${gradNorm}); ` +
            `the last good checkpoint is ${lastCheckpoint(this.runDir)}. ` +
            'Try a lower learning rate (schedule.lr) or gradient clipping (clipNorm).',
        ),
    });
    if (signal?.aborted) {
      this.save(state, elapsed());
      throw abortError(signal);
    }
    if (validEvery === 0 || state.step % validEvery !== 0) await this.validateAndKeepBest(state);
    state.elapsedSeconds = elapsed();
    this.save(state, state.elapsedSeconds);
    return { state, reason };
  }

  private resume(dir: string): TrainingState {
    const load = (path: string) => loadCheckpoint(path, this.model, this.optimizer);
    const found = resumeNewest(dir, load, (message) => this.events.onWarning?.(message));
    if (found === null) {
      T.manualSeed(this.options.seed);
      const data = { epoch: 0, index: 0, seed: this.options.seed };
      return {
        step: 0,
        generator: defaultGenerator().getState(),
        data,
        best: null,
        elapsedSeconds: 0,
        targetTokens: 0,
      };
    }
    defaultGenerator().setState(found.generator);
    return found;
  }

  /** One update from one or more batches: gradients of the summed loss over all their tokens. */
  private update(batches: Batch[], lr: number): { loss: number; nll: number; tokens: number; gradNorm: number } {
    const padId = this.model.config.padId;
    let total = 0;
    for (const b of batches) for (const id of b.targetOut) if (id !== padId) total++;
    let loss = 0;
    let nll = 0;
    const backward = () => {
      for (const b of batches) {
        tidy(() => {
          const logits = this.model.forward(
            Tensor.from(b.source, [b.size, b.sourceLength]),
            Tensor.from(b.targetIn, [b.size, b.targetLength]),
          ); // (B, T, V)
          const terms = translationLoss(
            logits,
            Tensor.from(b.targetOut, [b.size, b.targetLength]),
            padId,
            this.options.labelSmoothing,
          );
          const objective = T.mulScalar(terms.sum, 1 / Math.max(total, 1));
          // Adaptive attention spans pay their L1 penalty once per update, shared across the batches.
          const penalty = attentionPenalty(this.model);
          (penalty === null ? objective : T.add(objective, T.mulScalar(penalty, 1 / batches.length))).backward();
          loss += terms.sum.item();
          nll += terms.nll;
        });
      }
    };
    const { clipNorm, precision } = this.options;
    const gradNorm = trainStep(this.params, this.optimizer, backward, { lr, clipNorm, precision });
    return { loss, nll, tokens: total, gradNorm };
  }

  /** Loss and perplexity on the validation set (teacher forcing), and BLEU when the caller decodes. */
  async validate(): Promise<Validation | null> {
    if (this.valid === null) return null;
    this.model.eval();
    const plan = planEpoch(this.valid, { ...this.batchOptions, seed: 0 }, 0);
    let loss = 0;
    let nll = 0;
    let tokens = 0;
    T.noGrad(() => {
      for (const indices of plan) {
        tidy(() => {
          const b = makeBatch(this.valid!, indices, this.batchOptions);
          const logits = this.model.forward(
            Tensor.from(b.source, [b.size, b.sourceLength]),
            Tensor.from(b.targetIn, [b.size, b.targetLength]),
          );
          const terms = translationLoss(
            logits,
            Tensor.from(b.targetOut, [b.size, b.targetLength]),
            this.model.config.padId,
            this.options.labelSmoothing,
          );
          loss += terms.sum.item();
          nll += terms.nll;
          tokens += terms.tokens;
        });
      }
    });
    const bleu = this.events.bleu === undefined ? null : await this.events.bleu(this.model);
    this.model.train();
    return { loss: loss / tokens, ppl: Math.exp(nll / tokens), bleu };
  }

  /**
   * Validates and writes runDir/model.safetensors when the score is the best so far; true when the
   * validation BLEU reached targetBleu.
   */
  private async validateAndKeepBest(state: TrainingState): Promise<boolean> {
    const v = await this.validate();
    const score = v === null ? state.step : (v.bleu ?? -v.loss);
    const isBest = state.best === null || score >= state.best.score;
    if (isBest) {
      state.best = { score, step: state.step };
      saveWeights(join(this.runDir, WEIGHTS_FILE), this.model, { step: String(state.step) });
    }
    if (v !== null) this.events.onValidation?.(state.step, v, isBest);
    return this.options.targetBleu > 0 && v?.bleu != null && v.bleu >= this.options.targetBleu;
  }

  private save(state: TrainingState, elapsedSeconds: number): void {
    state.generator = defaultGenerator().getState();
    saveCheckpoint(lastCheckpoint(this.runDir), this.model, this.optimizer, { ...state, elapsedSeconds });
    removeStaleFiles(this.runDir, checkpointsFolder(this.runDir));
  }

  /** Weights at this step, for averaging; only the newest keepCheckpoints are kept. */
  private saveStep(step: number): void {
    saveWeights(stepCheckpoint(this.runDir, step), this.model, { step: String(step) });
    pruneStepCheckpoints(this.runDir, this.options.keepCheckpoints);
  }
}
