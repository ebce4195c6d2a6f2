// MarianMTModel as our encoder-decoder: Marian's conventions are in its config (marian-config.ts); what
// the model adds is the tokens it never generates.

import { EncoderDecoder, type DecodingState } from '../model/encoder-decoder.js';
import type { ModelConfig } from '../model/config.js';
import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * MarianMTModel: our encoder-decoder whose generation never emits the banned tokens (HF's
 * bad_words_ids, the pad token for Marian): their logits are -inf at every decoding step. forward()
 * is the plain model, so teacher-forced logits are HF's.
 */
export class MarianModel extends EncoderDecoder {
  private readonly ban: Tensor | null; // (V): 0, or -inf at a banned id

  constructor(
    config: ModelConfig,
    readonly bannedIds: readonly number[] = [],
  ) {
    super(config);
    for (const id of bannedIds)
      if (!(Number.isInteger(id) && id >= 0 && id < config.vocabSize))
        throw new RangeError(`banned token id ${id} is outside the vocabulary (0..${config.vocabSize - 1})`);
    const ban = new Float32Array(config.vocabSize);
    for (const id of bannedIds) ban[id] = -Infinity;
    this.ban = bannedIds.length === 0 ? null : Tensor.from(ban, [config.vocabSize]).keep();
  }

  override step(state: DecodingState, tokens: Tensor): Tensor {
    const logits = super.step(state, tokens); // (B, t, V)
    return this.ban === null ? logits : T.add(logits, this.ban);
  }
}
