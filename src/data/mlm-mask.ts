// BERT's masked-LM corruption (Devlin et al. 2019, section 3.1): each ordinary token is chosen with
// probability 15%; a chosen token becomes the mask token 80% of the time, a random ordinary token 10%,
// and stays itself 10%. The model predicts the chosen tokens alone; the rest are ignored by the loss.

import type { Generator } from '../tensor/random.js';
import { IGNORE_LABEL } from './encoder-batches.js';

export interface MaskingOptions {
  maskId: number;
  /** Ids below this are control and special tokens: never chosen, never drawn as replacements. */
  firstOrdinaryId: number;
  /** Replacements are drawn from [firstOrdinaryId, vocabSize). */
  vocabSize: number;
  /** BERT: 0.15. */
  probability: number;
}

/** The corrupted ids and the labels (the original id where chosen, IGNORE_LABEL elsewhere). */
export function maskTokens(
  ids: Int32Array,
  rng: Generator,
  o: MaskingOptions,
): { input: Int32Array; labels: Int32Array } {
  const input = ids.slice();
  const labels = new Int32Array(ids.length).fill(IGNORE_LABEL);
  const ordinary = o.vocabSize - o.firstOrdinaryId;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < o.firstOrdinaryId || rng.uniform() >= o.probability) continue;
    labels[i] = ids[i];
    const r = rng.uniform();
    if (r < 0.8) input[i] = o.maskId;
    else if (r < 0.9) input[i] = o.firstOrdinaryId + (rng.nextUint32() % ordinary);
  }
  return { input, labels };
}
