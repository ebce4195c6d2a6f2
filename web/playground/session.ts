// One playground run without DOM or worker plumbing: the task's sentence pairs, a tokenizer learned on
// them, an encoder-decoder model of the chosen size and attention kind, and single training updates as
// in section 5 (token-based batches, Adam with the warm-up schedule, label smoothing). The worker drives
// it (runner.ts); the unit tests drive it in Node.

import * as T from '../../src/tensor/index.js';
import { Tensor, tidy } from '../../src/tensor/tensor.js';
import { BatchIterator, type BatchOptions } from '../../src/data/batch-iterator.js';
import { corpusFromIds, type ParallelCorpus } from '../../src/data/corpus-builder.js';
import type { Task } from '../../src/data/task/make-task.js';
import { translateLines } from '../../src/decode/translate-lines.js';
import { corpusBleu } from '../../src/eval/bleu.js';
import { EncoderDecoder, makeConfig, type ModelConfig } from '../../src/model/index.js';
import { learnBpe } from '../../src/tokenizer/learn.js';
import type { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { Adam } from '../../src/train/adam.js';
import { trainStep } from '../../src/train/loop.js';
import { translationLoss } from '../../src/train/loss.js';
import { learningRate, type Schedule } from '../../src/train/schedule.js';

/** The model sizes the page offers: N layers per stack, d_model, d_ff, h. */
export const MODEL_SIZES = {
  tiny: { encoderLayers: 1, decoderLayers: 1, dModel: 32, dFF: 64, h: 2 },
  small: { encoderLayers: 2, decoderLayers: 2, dModel: 64, dFF: 256, h: 4 },
  demo: { encoderLayers: 2, decoderLayers: 2, dModel: 128, dFF: 512, h: 4 },
} as const;

export type ModelSize = keyof typeof MODEL_SIZES;

/** Self-attention kinds that also work causally (the decoder's): the page's menu. */
export const PLAYGROUND_ATTENTION = ['full', 'linear', 'persistent-memory', 'adaptive-span'] as const;
export type PlaygroundAttention = (typeof PLAYGROUND_ATTENTION)[number];

/** How the model is built and trained. */
export interface TrainingSettings {
  size: ModelSize;
  attention: PlaygroundAttention;
  vocabSize: number;
  /** Padded tokens per batch and side. */
  maxTokens: number;
  /** The paper's schedule: a factor on d_model^-0.5 and the warm-up steps. */
  lr: number;
  warmup: number;
  labelSmoothing: number;
  seed: number;
}

export const defaultTraining: TrainingSettings = {
  size: 'small',
  attention: 'full',
  vocabSize: 800,
  maxTokens: 2500,
  lr: 1,
  warmup: 200,
  labelSmoothing: 0.1,
  seed: 1,
};

/** What one update measured. */
export interface UpdateResult {
  step: number;
  /** Label-smoothed loss per target token. */
  loss: number;
  lr: number;
  targetTokens: number;
}

export class TrainingSession {
  readonly model: EncoderDecoder;
  readonly tokenizer: Tokenizer;
  readonly config: ModelConfig;
  step = 0;
  private readonly optimizer: Adam;
  private readonly data: BatchIterator;
  private readonly schedule: Schedule;

  constructor(
    readonly task: Task,
    readonly settings: TrainingSettings,
  ) {
    T.manualSeed(settings.seed);
    const texts = [...task.train.source, ...task.train.target];
    this.tokenizer = learnBpe(texts, { vocabSize: settings.vocabSize });
    this.config = makeConfig(null, {
      ...MODEL_SIZES[settings.size],
      vocabSize: this.tokenizer.vocabSize,
      sourceVocabSize: this.tokenizer.vocabSize,
      maxLength: 256,
      attention: { kind: settings.attention },
    });
    this.model = new EncoderDecoder(this.config);
    this.model.train();
    this.optimizer = new Adam(this.model.parameters(), { beta1: 0.9, beta2: 0.98, eps: 1e-9, decoupled: true });
    this.schedule = {
      kind: 'paper',
      warmup: settings.warmup,
      lr: settings.lr,
      dModel: this.config.dModel,
      totalSteps: 0,
      minLr: 0,
    };
    const c = this.config;
    const options: BatchOptions = {
      maxTokens: settings.maxTokens,
      seed: settings.seed,
      padId: c.padId,
      bosId: c.bosId,
      eosId: c.eosId,
    };
    this.data = new BatchIterator(this.corpus(), options);
  }

  /** The training pairs as ids: sources end in EOS (as translation feeds them), batches add the targets' EOS. */
  private corpus(): ParallelCorpus {
    const { source, target } = this.task.train;
    return corpusFromIds(
      source.map((s, i) => [this.tokenizer.encode(s, { addEos: true }), this.tokenizer.encode(target[i])] as const),
      { maxLength: this.config.maxLength - 1 },
    );
  }

  /** Parameters of the model. */
  get parameters(): number {
    return this.model.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** One optimizer update on the next batch. */
  update(): UpdateResult {
    const b = this.data.next();
    const padId = this.config.padId;
    let tokens = 0;
    for (const id of b.targetOut) if (id !== padId) tokens++;
    const step = this.step + 1;
    const lr = learningRate(step, this.schedule);
    let loss = 0;
    this.model.train();
    trainStep(
      this.model.parameters(),
      this.optimizer,
      () =>
        tidy(() => {
          const logits = this.model.forward(
            Tensor.from(b.source, [b.size, b.sourceLength]),
            Tensor.from(b.targetIn, [b.size, b.targetLength]),
          ); // (B, T, V)
          const targets = Tensor.from(b.targetOut, [b.size, b.targetLength]);
          const terms = translationLoss(logits, targets, padId, this.settings.labelSmoothing);
          T.mulScalar(terms.sum, 1 / tokens).backward();
          loss = terms.sum.item() / tokens;
        }),
      { lr, clipNorm: 0 },
    );
    this.step = step;
    if (!Number.isFinite(loss))
      throw new Error(`training diverged at update ${step} (loss ${loss}); try a lower learning rate`);
    return { step, loss, lr, targetTokens: tokens };
  }

  /** Translations of `lines`, greedy (beam 1) or with a beam; at most maxLenA * |source| + maxLenB tokens. */
  translate(lines: readonly string[], beam = 1, maxLenA = 1, maxLenB = 50): string[] {
    this.model.eval();
    return T.noGrad(() => translateLines(this.model, this.tokenizer, lines, { beam, batchSize: 64, maxLenA, maxLenB }));
  }

  /** Greedy BLEU of the first `sentences` validation pairs. */
  validationBleu(sentences: number): number {
    const { source, target } = this.task.valid;
    const n = Math.min(sentences, source.length);
    // The task's targets are about as long as their sources: a young model's endless outputs are cut
    // a little past that, so that early validations cost no more than late ones.
    return corpusBleu(this.translate(source.slice(0, n), 1, 1.5, 4), [target.slice(0, n)]).score;
  }
}
