// The 'fill-mask' task: text holding the mask token (<mask>) in, the top_k most probable fillers out, as
// transformers.js answers: `[{ score, token, token_str, sequence }]` for one mask, one such list per mask
// when there are several. For an encoder-only folder with a masked-LM head (train --task mlm); the text
// is read as training read it: BOS and its tokens.

import { abortError, nextTask } from '../../decode/stepwise.js';
import { EncoderOnly } from '../../model/encoder-only.js';
import * as T from '../../tensor/index.js';
import { Tensor, tidy } from '../../tensor/tensor.js';
import { Tokenizer } from '../../tokenizer/tokenizer.js';
import { MASK_TOKEN } from '../../tokenizer/vocab.js';
import { CALL_OPTIONS, checkOptions, PipelineError, type OptionKind } from '../options.js';
import type { CallOptions } from '../run.js';
import { requireModel, requireTokenizer, type PipelineSource } from '../source.js';

export { MASK_TOKEN };

export interface FillMaskOptions extends CallOptions {
  /** Fillers per mask, most probable first; 5 by default. */
  top_k?: number;
}

/** One filler of a mask: its probability, id and text, and the input with the mask filled by it. */
export interface FillMaskOutput {
  score: number;
  token: number;
  token_str: string;
  sequence: string;
}

const OPTIONS: Record<keyof FillMaskOptions, OptionKind> = { ...CALL_OPTIONS, top_k: 'integer>=1' };

/** The fill-mask pipeline: `await unmasker('A <mask> runs.', { top_k })`. */
export interface FillMaskPipeline {
  (text: string, options?: FillMaskOptions): Promise<FillMaskOutput[] | FillMaskOutput[][]>;
  readonly task: 'fill-mask';
  readonly model: EncoderOnly;
  readonly tokenizer: Tokenizer;
}

export function fillMaskPipeline(source: PipelineSource): FillMaskPipeline {
  const task = 'fill-mask';
  const model = requireModel(task, source, 'encoder-only', EncoderOnly);
  const name = source.name ?? 'the model';
  if (model.config.head !== 'masked-lm')
    throw new PipelineError(`${task} needs a masked-lm head; ${name} has a ${model.config.head} head`);
  const codec = requireTokenizer(task, source);
  const mask = codec instanceof Tokenizer ? codec.pieceToId(MASK_TOKEN) : undefined;
  if (!(codec instanceof Tokenizer) || mask === undefined)
    throw new PipelineError(`${task} needs a tokenizer with a ${MASK_TOKEN} token; the tokenizer of ${name} has none`);
  const tokenizer: Tokenizer = codec;
  const { bosId, maxLength, vocabSize } = model.config;

  async function call(text: string, options?: FillMaskOptions): Promise<FillMaskOutput[] | FillMaskOutput[][]> {
    const o = checkOptions(task, options, OPTIONS);
    if (typeof text !== 'string') throw new PipelineError(`${task}: the input must be a string`);
    if (o.signal?.aborted) throw abortError(o.signal);
    const ids = Int32Array.of(bosId, ...tokenizer.encode(text, { allowSpecial: true }));
    if (ids.length > maxLength)
      throw new PipelineError(`${task}: the input has ${ids.length} tokens, above the model's maxLength ${maxLength}`);
    const positions = [...ids.keys()].filter((p) => ids[p] === mask);
    if (positions.length === 0) throw new PipelineError(`${task}: the input has no ${MASK_TOKEN} token`);
    const k = Math.min(o.top_k ?? 5, tokenizer.vocabSize);
    const rows = tidy(() =>
      T.noGrad(() => {
        const p = T.softmax(model.forward(Tensor.from(ids, [1, ids.length])), -1).floats('mask probabilities');
        return positions.map((pos) => p.slice(pos * vocabSize, pos * vocabSize + tokenizer.vocabSize));
      }),
    );
    const outputs = rows.map((row, m) => {
      const order = [...row.keys()].sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
      return order.map((id) => {
        const filled = Int32Array.from(ids.subarray(1));
        filled[positions[m] - 1] = id;
        return {
          score: row[id],
          token: id,
          token_str: tokenizer.decode([id]).trim() || tokenizer.idToPiece(id),
          sequence: tokenizer.decode(filled),
        };
      });
    });
    await nextTask();
    return outputs.length === 1 ? outputs[0] : outputs;
  }
  return Object.assign(call as FillMaskPipeline, { task: 'fill-mask' as const, model, tokenizer });
}
