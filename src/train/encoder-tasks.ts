// What each encoder-only task adds to the one training loop: the targets of a batch (the labels, or for
// masked-LM the corrupted input and the tokens to predict), all scored by one cross-entropy that skips
// IGNORE_LABEL, and the validation metrics that pick the best checkpoint: accuracy for classification,
// token F1 for tagging, the masked tokens' loss for masked-LM.

import {
  IGNORE_LABEL,
  makeEncoderBatch,
  planEncoderEpoch,
  type EncoderBatch,
  type EncoderDataset,
} from '../data/encoder-batches.js';
import { maskTokens, type MaskingOptions } from '../data/mlm-mask.js';
import { classificationScores, tokenF1 } from '../eval/classification.js';
import type { EncoderOnly } from '../model/encoder-only.js';
import * as T from '../tensor/index.js';
import { Generator } from '../tensor/random.js';
import { Tensor, tidy } from '../tensor/tensor.js';

export type EncoderTaskName = 'classify' | 'tag' | 'mlm';

export const ENCODER_TASKS: readonly EncoderTaskName[] = ['classify', 'tag', 'mlm'];

/** The head each task trains. */
export const TASK_HEAD = {
  classify: 'sequence-classification',
  tag: 'token-classification',
  mlm: 'masked-lm',
} as const;

export interface TaskTargets {
  /** The model's input: the batch's ids, or masked-LM's corrupted ones. */ // (B, S)
  input: Tensor;
  /** One per logit row, IGNORE_LABEL where nothing is predicted. */ // (B) or (B, S)
  labels: Tensor;
  /** The labels that count. */
  count: number;
}

export interface EncoderScores {
  /** Cross-entropy per counted label. */
  loss: number;
  ppl: number;
  /** The metric that picks the best checkpoint (higher is better). */
  score: number;
  /** accuracy, macroF1 (classify); accuracy, f1, macroF1 (tag); maskedAccuracy (mlm). */
  metrics: Record<string, number>;
}

export interface TaskSettings {
  task: EncoderTaskName;
  padId: number;
  numLabels: number;
  /** Tagging: the id of the "O" label, left out of the F1 (-1: none). */
  outsideId: number;
  /** Masked-LM only. */
  masking: MaskingOptions | null;
}

/** The model's input and the labels its logits are scored against; masked-LM draws its masks from `rng`. */
export function taskTargets(batch: EncoderBatch, s: TaskSettings, rng: Generator): TaskTargets {
  const [B, S] = [batch.size, batch.length];
  if (s.task === 'mlm') {
    const { input, labels } = maskTokens(batch.ids, rng, s.masking!);
    let count = 0;
    for (const l of labels) if (l !== IGNORE_LABEL) count++;
    return { input: Tensor.from(input, [B, S]), labels: Tensor.from(labels, [B, S]), count };
  }
  const labels = batch.labels!;
  let count = 0;
  for (const l of labels) if (l !== IGNORE_LABEL) count++;
  const shape = s.task === 'classify' ? [B] : [B, S];
  return { input: Tensor.from(batch.ids, [B, S]), labels: Tensor.from(labels, shape), count };
}

/** The summed cross-entropy of the counted labels. */
export function taskLoss(model: EncoderOnly, targets: TaskTargets): Tensor {
  const logits = model.forward(targets.input); // (B, C) or (B, S, C)
  return T.crossEntropy(logits, targets.labels, { ignoreIndex: IGNORE_LABEL, reduction: 'sum' });
}

/** The index of the largest of each row of `logits` (rows x classes). */
export function argmaxRows(logits: Float32Array | Float64Array, classes: number): Int32Array {
  const rows = logits.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[r * classes + c] > logits[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Loss and metrics on a dataset, in eval mode; masked-LM masks with a fixed seed, so runs compare. */
export function evaluateTask(
  model: EncoderOnly,
  data: EncoderDataset,
  s: TaskSettings,
  maxTokens: number,
): EncoderScores {
  const wasTraining = model.training;
  model.eval();
  const rng = new Generator(12345);
  const gold: number[] = [];
  const predicted: number[] = [];
  let nats = 0;
  T.noGrad(() => {
    for (const indices of planEncoderEpoch(data, maxTokens, 0, 0)) {
      tidy(() => {
        const targets = taskTargets(makeEncoderBatch(data, indices, s.padId), s, rng);
        const logits = model.forward(targets.input);
        nats += T.crossEntropy(logits, targets.labels, { ignoreIndex: IGNORE_LABEL, reduction: 'sum' }).item();
        const classes = logits.shape[logits.rank - 1];
        const best = argmaxRows(T.contiguous(logits).floats(), classes);
        const labels = targets.labels.ints();
        for (let i = 0; i < labels.length; i++) {
          if (labels[i] === IGNORE_LABEL) continue;
          gold.push(labels[i]);
          predicted.push(best[i]);
        }
      });
    }
  });
  if (wasTraining) model.train();
  const count = Math.max(gold.length, 1);
  const loss = nats / count;
  const ppl = Math.exp(loss);
  if (s.task === 'mlm') {
    const correct = gold.filter((g, i) => g === predicted[i]).length;
    return { loss, ppl, score: -loss, metrics: { maskedAccuracy: correct / count } };
  }
  const { accuracy, macroF1 } = classificationScores(gold, predicted, s.numLabels);
  if (s.task === 'classify') return { loss, ppl, score: accuracy, metrics: { accuracy, macroF1 } };
  const f1 = tokenF1(gold, predicted, s.numLabels, s.outsideId);
  return { loss, ppl, score: f1, metrics: { accuracy, f1, macroF1 } };
}
