// The async forms of decoding: the same searches (stepwise.ts), with a pause on the event loop between
// decoding steps, an AbortSignal, a callback per step, and streaming of the text as it is chosen.

import type { DecoderOnly } from '../model/decoder-only.js';
import type { EncoderDecoder } from '../model/encoder-decoder.js';
import * as T from '../tensor/index.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { languageModelBeamSearchSteps, type LanguageModelBeamOptions } from './lm-beam.js';
import { sampleSteps, type Sample, type SampleOptions } from './sample.js';
import { sampleTranslationsSteps, type TranslationSampleOptions } from './sample-translation.js';
import type { Hypothesis } from './search.js';
import { abortError, drainAsync, nextTask, type AsyncDecodeOptions, type Steps } from './stepwise.js';
import { translateIdsSteps, type TranslateOptions } from './translate-lines.js';

/** {@link translateIds}, pausing between decoding steps; see {@link AsyncDecodeOptions}. */
export function translateIdsAsync(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: TranslateOptions & AsyncDecodeOptions = {},
): Promise<Hypothesis[][]> {
  return drainAsync(translateIdsSteps(model, sources, options), options);
}

/** {@link translateLines}, pausing between decoding steps: the best translation of each line. */
export async function translateLinesAsync(
  model: EncoderDecoder,
  tokenizer: Pick<TextTokenizer, 'encode' | 'decode'>,
  lines: readonly string[],
  options: TranslateOptions & AsyncDecodeOptions = {},
): Promise<string[]> {
  const sources = lines.map((line) => (line.trim() === '' ? [] : [...tokenizer.encode(line, { addEos: true })]));
  const lists = await translateIdsAsync(model, sources, { ...options, nbest: 1 });
  return lists.map((list) => tokenizer.decode(list[0].tokens));
}

/** {@link sampleTranslations}, pausing between decoding steps. */
export function sampleTranslationsAsync(
  model: EncoderDecoder,
  sources: readonly (readonly number[])[],
  options: TranslationSampleOptions & AsyncDecodeOptions = {},
): Promise<Hypothesis[][]> {
  return drainAsync(sampleTranslationsSteps(model, sources, options), options);
}

/** {@link sample} (a language model continuing prompts), pausing between decoding steps. */
export function sampleAsync(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: SampleOptions & AsyncDecodeOptions = {},
): Promise<Sample[]> {
  return drainAsync(sampleSteps(model, prompts, options), options);
}

/** {@link languageModelBeamSearch}, pausing between decoding steps. */
export function languageModelBeamSearchAsync(
  model: DecoderOnly,
  prompts: readonly (readonly number[])[],
  options: LanguageModelBeamOptions & AsyncDecodeOptions = {},
): Promise<Hypothesis[][]> {
  return drainAsync(languageModelBeamSearchSteps(model, prompts, options), options);
}

/**
 * The text of a one-source search as it is decoded: pieces whose concatenation is exactly
 * `decode(final(result))`, the text the search returns. A piece ends at a whitespace, so that a word
 * is only given once it is complete (a later token may still join or change it); a search that yields
 * no tokens on the way (beam search) gives its whole text at the end. The generator returns the
 * search's result; breaking out of the loop ends the search and frees its state.
 */
export async function* streamText<R>(
  steps: Steps<R>,
  decode: (tokens: readonly number[]) => string,
  final: (result: R) => readonly number[],
  options: AsyncDecodeOptions = {},
): AsyncGenerator<string, R, void> {
  const { signal, onStep } = options;
  let given = '';
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      const next = T.noGrad(() => steps.next());
      if (next.done) {
        const text = decode(final(next.value));
        if (text.length > given.length) yield text.slice(given.length);
        return next.value;
      }
      onStep?.(next.value);
      if (next.value?.length === 1) {
        const text = decode(next.value[0]);
        const end = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\n')) + 1;
        if (end > given.length && text.startsWith(given) && !text.slice(0, end).includes('\uFFFD')) {
          const piece = text.slice(given.length, end);
          given += piece;
          yield piece;
        }
      }
      await nextTask();
    }
  } finally {
    T.noGrad(() => steps.return(undefined as R));
  }
}

/**
 * The best translation of one text, streamed (see {@link streamText}); greedy when `beam` is 1,
 * otherwise the text arrives whole when beam search ends.
 */
export function streamTranslation(
  model: EncoderDecoder,
  tokenizer: Pick<TextTokenizer, 'encode' | 'decode'>,
  text: string,
  options: TranslateOptions & AsyncDecodeOptions = {},
): AsyncGenerator<string, Hypothesis[][], void> {
  const source = text.trim() === '' ? [] : [...tokenizer.encode(text, { addEos: true })];
  return streamText(
    translateIdsSteps(model, [source], { ...options, nbest: 1 }),
    (tokens) => tokenizer.decode(tokens),
    (lists) => lists[0][0].tokens,
    options,
  );
}
