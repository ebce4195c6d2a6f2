// Token ids for the encoder-only tasks: every sequence starts with <s>, whose final state the sequence
// classifier reads (BERT's [CLS]); a tagged word's label goes on its first piece and the other pieces are
// ignored by the loss (as Hugging Face aligns word labels). Sequences longer than the model's maxLength
// are cut, and counted so the command can say so.

import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { BOS_ID } from '../tokenizer/vocab.js';
import { IGNORE_LABEL, makeDataset, type EncoderDataset } from '../data/encoder-batches.js';
import type { TaggedSentence } from '../data/labelled-text.js';

export interface Encoded {
  data: EncoderDataset;
  /** Sequences cut to maxLength. */
  cut: number;
}

/** <s> and the text's pieces, at most maxLength ids. */
export function encodeText(tokenizer: Tokenizer, text: string, maxLength: number): { ids: Int32Array; cut: boolean } {
  const pieces = tokenizer.encode(text);
  const ids = new Int32Array(Math.min(pieces.length + 1, maxLength));
  ids[0] = BOS_ID;
  ids.set(pieces.subarray(0, ids.length - 1), 1);
  return { ids, cut: pieces.length + 1 > maxLength };
}

/** Sequence classification (labels given as ids) or masked-LM (labels null). */
export function encodeTexts(
  tokenizer: Tokenizer,
  texts: readonly string[],
  labels: readonly number[] | null,
  maxLength: number,
): Encoded {
  let cut = 0;
  const inputs = texts.map((text) => {
    const e = encodeText(tokenizer, text, maxLength);
    if (e.cut) cut++;
    return e.ids;
  });
  const perSequence = labels === null ? null : labels.map((l) => Int32Array.of(l));
  return { data: makeDataset(labels === null ? 'none' : 'sequence', inputs, perSequence), cut };
}

/** <s> and each word's pieces; the word's label on its first piece, IGNORE_LABEL elsewhere. */
export function alignWordLabels(
  tokenizer: Pick<Tokenizer, 'encode'>,
  words: readonly string[],
  labels: readonly number[],
) {
  const ids: number[] = [BOS_ID];
  const tags: number[] = [IGNORE_LABEL];
  words.forEach((word, i) => {
    const pieces = tokenizer.encode(word);
    pieces.forEach((id, k) => {
      ids.push(id);
      tags.push(k === 0 ? labels[i] : IGNORE_LABEL);
    });
  });
  return { ids: Int32Array.from(ids), labels: Int32Array.from(tags) };
}

/** Token classification: sentences with a label id per word. */
export function encodeTagged(
  tokenizer: Tokenizer,
  sentences: readonly TaggedSentence[],
  labelIds: (sentence: TaggedSentence) => number[],
  maxLength: number,
): Encoded {
  let cut = 0;
  const inputs: Int32Array[] = [];
  const labels: Int32Array[] = [];
  for (const s of sentences) {
    const aligned = alignWordLabels(tokenizer, s.words, labelIds(s));
    if (aligned.ids.length > maxLength) cut++;
    inputs.push(aligned.ids.subarray(0, maxLength));
    labels.push(aligned.labels.subarray(0, maxLength));
  }
  return { data: makeDataset('token', inputs, labels), cut };
}
