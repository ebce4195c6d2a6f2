// The 'text-classification' task: text in, `[{ label, score }]` out (the top_k most probable classes),
// for an encoder-only folder with a sequence-classification head. The input is read as `transformer
// train --task classify` trained it: BOS and the text's tokens, cut to maxLength; the head pools BOS.

import { EncoderOnly } from '../../model/encoder-only.js';
import * as T from '../../tensor/index.js';
import { Tensor, tidy } from '../../tensor/tensor.js';
import { abortError, nextTask } from '../../decode/stepwise.js';
import { CALL_OPTIONS, checkOptions, PipelineError, type OptionKind } from '../options.js';
import type { CallOptions } from '../run.js';
import { requireModel, requireTokenizer, type PipelineSource, type TextCodec } from '../source.js';

export interface TextClassificationOptions extends CallOptions {
  /** The most probable classes to return, best first; 1 by default. */
  top_k?: number;
}

/** One class and its probability. */
export interface TextClassificationOutput {
  label: string;
  score: number;
}

const OPTIONS: Record<keyof TextClassificationOptions, OptionKind> = { ...CALL_OPTIONS, top_k: 'integer>=1' };

/** The text-classification pipeline: `await classifier(text | texts, { top_k })`. */
export interface TextClassificationPipeline {
  (text: string, options?: TextClassificationOptions): Promise<TextClassificationOutput[]>;
  (texts: readonly string[], options?: TextClassificationOptions): Promise<TextClassificationOutput[][]>;
  readonly task: 'text-classification';
  readonly model: EncoderOnly;
  readonly tokenizer: TextCodec;
}

export function textClassificationPipeline(source: PipelineSource): TextClassificationPipeline {
  const task = 'text-classification';
  const model = requireModel(task, source, 'encoder-only', EncoderOnly);
  if (model.config.head !== 'sequence-classification')
    throw new PipelineError(
      `${task} needs a sequence-classification head; ${source.name ?? 'the model'} has a ${model.config.head} head`,
    );
  const tokenizer = requireTokenizer(task, source);
  const { bosId, maxLength, numLabels } = model.config;
  const label = (i: number) => source.labels?.[i] ?? `LABEL_${i}`;
  /** The class probabilities of one text. */
  const classify = (text: string): Float32Array => {
    const ids = [bosId, ...tokenizer.encode(text)].slice(0, maxLength);
    return tidy(() =>
      T.noGrad(() => {
        const logits = model.forward(Tensor.from(Int32Array.from(ids), [1, ids.length])); // (1, numLabels)
        return Float32Array.from(T.softmax(logits, -1).floats('class probabilities'));
      }),
    );
  };
  async function call(input: string | readonly string[], options?: TextClassificationOptions) {
    const o = checkOptions(task, options, OPTIONS);
    const k = Math.min(o.top_k ?? 1, numLabels);
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts)) throw new PipelineError(`${task}: the input must be a string or an array of strings`);
    const outputs: TextClassificationOutput[][] = [];
    for (const [i, text] of texts.entries()) {
      if (o.signal?.aborted) throw abortError(o.signal);
      if (typeof text !== 'string') throw new PipelineError(`${task}: input ${i} must be a string, got ${typeof text}`);
      const p = classify(text);
      const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
      outputs.push(order.slice(0, k).map((c) => ({ label: label(c), score: p[c] })));
      o.onProgress?.(i + 1, texts.length);
      await nextTask();
    }
    return typeof input === 'string' ? outputs[0] : outputs;
  }
  return Object.assign(call as TextClassificationPipeline, { task: 'text-classification' as const, model, tokenizer });
}
