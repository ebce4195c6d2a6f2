// Training an encoder-only model (classification, tagging, masked-LM) through the one training loop
// (loop.ts) with translation's run folder: checkpoints/last resumes exactly, the best validation score's
// weights are model.safetensors, step checkpoints are kept for averaging. The task (encoder-tasks.ts)
// supplies the targets and the metrics; everything else is the translation trainer's recipe.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EncoderBatches, type EncoderBatch, type EncoderDataset } from '../data/encoder-batches.js';
import { WEIGHTS_FILE } from '../io/model-folder.js';
import {
  checkpointsFolder,
  lastCheckpoint,
  pruneStepCheckpoints,
  removeStaleFiles,
  stepCheckpoint,
} from '../io/run-folder.js';
import type { EncoderOnly } from '../model/encoder-only.js';
import { attentionPenalty } from '../model/efficient/penalty.js';
import * as T from '../tensor/index.js';
import { defaultGenerator } from '../tensor/random.js';
import { Tensor, tidy } from '../tensor/tensor.js';
import { Adam } from './adam.js';
import { loadCheckpoint, saveCheckpoint, saveWeights, type TrainingState } from './checkpoint.js';
import { evaluateTask, taskLoss, taskTargets, type EncoderScores, type TaskSettings } from './encoder-tasks.js';
import { runLoop, trainStep, TrainingDiverged, type StopReason } from './loop.js';
import type { TrainOptions } from './options.js';
import { resumeNewest } from './resume.js';
import { learningRate } from './schedule.js';

export interface EncoderProgress {
  step: number;
  epoch: number;
  /** Cross-entropy per counted label of this update. */
  loss: number;
  lr: number;
  gradNorm: number;
  /** Input tokens per second since this session started. */
  tokensPerSecond: number;
  elapsedSeconds: number;
}

export interface EncoderEvents {
  onStep?(p: EncoderProgress): void;
  onValidation?(step: number, v: EncoderScores, isBest: boolean, elapsedSeconds: number): void;
  onWarning?(message: string): void;
}

export class EncoderTrainer {
  readonly optimizer: Adam;
  private readonly params: Tensor[];
  private stopRequested = false;

  constructor(
    readonly model: EncoderOnly,
    private readonly train: EncoderDataset,
    private readonly valid: EncoderDataset | null,
    readonly runDir: string,
    readonly options: TrainOptions,
    readonly task: TaskSettings,
    private readonly events: EncoderEvents = {},
  ) {
    this.params = model.parameters();
    const { beta1, beta2, eps, weightDecay } = options;
    this.optimizer = new Adam(this.params, { beta1, beta2, eps, weightDecay, decoupled: true });
  }

  /** Ends training after the current update, with a checkpoint (Ctrl-C). */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** Trains until a limit or a stop request, resuming from runDir's newest readable checkpoint. */
  async run(): Promise<{ state: TrainingState; reason: StopReason }> {
    mkdirSync(checkpointsFolder(this.runDir), { recursive: true });
    const state = this.resume();
    removeStaleFiles(this.runDir, checkpointsFolder(this.runDir));
    const o = this.options;
    const data = new EncoderBatches(this.train, o.maxTokens, this.model.config.padId, o.seed, state.data);
    const started = performance.now();
    const elapsed = () => state.elapsedSeconds + (performance.now() - started) / 1000;
    let tokensThisRun = 0;
    let last = { epoch: 0, lr: 0, loss: 0, count: 0, tokens: 0, gradNorm: 0 };
    this.model.train();
    const { reason } = await runLoop({
      limits: { steps: o.steps, minutes: o.minutes },
      startStep: state.step,
      elapsedSeconds: elapsed,
      stopRequested: () => this.stopRequested,
      update: (step) => {
        const epoch = data.position.epoch;
        const batches = Array.from({ length: o.accumulate }, () => data.next());
        const lr = learningRate(step, o.schedule);
        last = { epoch, lr, ...this.update(batches, lr) };
        return { loss: last.loss / Math.max(last.count, 1), gradNorm: last.gradNorm };
      },
      after: async (step) => {
        state.step = step;
        state.targetTokens += last.tokens;
        tokensThisRun += last.tokens;
        state.data = data.position;
        this.events.onStep?.({
          step,
          epoch: last.epoch,
          loss: last.loss / Math.max(last.count, 1),
          lr: last.lr,
          gradNorm: last.gradNorm,
          tokensPerSecond: tokensThisRun / ((performance.now() - started) / 1000),
          elapsedSeconds: elapsed(),
        });
        const checkpointDue = o.checkpointEvery > 0 && step % o.checkpointEvery === 0;
        const validationDue = o.validEvery > 0 && step % o.validEvery === 0;
        if (checkpointDue) {
          saveWeights(stepCheckpoint(this.runDir, step), this.model, { step: String(step) });
          pruneStepCheckpoints(this.runDir, o.keepCheckpoints);
        }
        if (validationDue) this.validateAndKeepBest(state, elapsed());
        if (checkpointDue || validationDue) this.save(state, elapsed());
        return null;
      },
      diverged: (step, loss, gradNorm) =>
        new TrainingDiverged(
          `training diverged at step ${step} (loss ${loss}, gradient norm ${gradNorm}); ` +
            `the last good checkpoint is ${lastCheckpoint(this.runDir)}. ` +
            'Try a lower learning rate (schedule.lr) or gradient clipping (clipNorm).',
        ),
    });
    if (o.validEvery === 0 || state.step % o.validEvery !== 0) this.validateAndKeepBest(state, elapsed());
    state.elapsedSeconds = elapsed();
    this.save(state, state.elapsedSeconds);
    return { state, reason };
  }

  /** Scores on the validation set, or null without one. */
  validate(): EncoderScores | null {
    return this.valid === null ? null : evaluateTask(this.model, this.valid, this.task, this.options.maxTokens);
  }

  private resume(): TrainingState {
    const load = (path: string) => loadCheckpoint(path, this.model, this.optimizer);
    const found = resumeNewest(lastCheckpoint(this.runDir), load, (m) => this.events.onWarning?.(m));
    if (found !== null) {
      defaultGenerator().setState(found.generator);
      return found;
    }
    T.manualSeed(this.options.seed);
    const data = { epoch: 0, index: 0, seed: this.options.seed };
    return { step: 0, generator: defaultGenerator().getState(), data, best: null, elapsedSeconds: 0, targetTokens: 0 };
  }

  /** One update: the gradient of the summed loss over every counted label of the batches, averaged. */
  private update(batches: EncoderBatch[], lr: number) {
    // Masked-LM draws its masks here, before the loss, so that the average runs over every masked token.
    const targets = batches.map((b) => taskTargets(b, this.task, defaultGenerator()));
    const count = targets.reduce((n, t) => n + t.count, 0);
    const tokens = batches.reduce((n, b) => n + b.size * b.length, 0);
    let loss = 0;
    const backward = () => {
      for (const t of targets) {
        tidy(() => {
          const sum = taskLoss(this.model, t);
          const objective = T.mulScalar(sum, 1 / Math.max(count, 1));
          const penalty = attentionPenalty(this.model);
          (penalty === null ? objective : T.add(objective, T.mulScalar(penalty, 1 / batches.length))).backward();
          loss += sum.item();
        });
      }
    };
    const gradNorm = trainStep(this.params, this.optimizer, backward, { lr, clipNorm: this.options.clipNorm });
    return { loss, count, tokens, gradNorm };
  }

  /** Validates and writes runDir/model.safetensors when the score is the best so far. */
  private validateAndKeepBest(state: TrainingState, elapsedSeconds: number): void {
    const v = this.validate();
    const score = v === null ? state.step : v.score;
    const isBest = state.best === null || score >= state.best.score;
    if (isBest) {
      state.best = { score, step: state.step };
      saveWeights(join(this.runDir, WEIGHTS_FILE), this.model, { step: String(state.step) });
    }
    if (v !== null) this.events.onValidation?.(state.step, v, isBest, elapsedSeconds);
  }

  private save(state: TrainingState, elapsedSeconds: number): void {
    state.generator = defaultGenerator().getState();
    saveCheckpoint(lastCheckpoint(this.runDir), this.model, this.optimizer, { ...state, elapsedSeconds });
    removeStaleFiles(this.runDir, checkpointsFolder(this.runDir));
  }
}
