// `transformer plot attention`: translates one sentence and draws one layer's attention, every head and
// their average, with the token pieces on the axes. The translation goes to standard output.

import { attentionWeights, type AttentionMap } from '../decode/attention-weights.js';
import { translateIds } from '../decode/translate-lines.js';
import { InputError } from '../errors.js';
import { TOKENIZER_FILE } from '../io/model-folder.js';
import { openModelFolder } from '../io/open-folder.js';
import { EncoderDecoder } from '../model/index.js';
import type { TextTokenizer } from '../tokenizer/marian-tokenizer.js';
import { attentionAxes, attentionGridSvg, type Picture } from '../viz/index.js';
import { integerFlag, UsageError } from './flags.js';

export const ATTENTION_KINDS = ['cross', 'encoder', 'decoder'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** The attention modules of one kind are named "<stack>.layers.<L>.<module>". */
const MODULE_OF: Record<AttentionKind, RegExp> = {
  encoder: /^encoder\.layers\.(\d+)\.selfAttention$/,
  decoder: /^decoder\.layers\.(\d+)\.selfAttention$/,
  cross: /^decoder\.layers\.(\d+)\.crossAttention$/,
};

export interface AttentionRequest {
  model: string;
  text: string;
  beam: number;
  kind: AttentionKind;
  /** undefined: the last layer. */
  layer: string | undefined;
}

/** The picture of the chosen layer's map and the translation it comes from. */
export async function attentionPicture(request: AttentionRequest): Promise<{ picture: Picture; translation: string }> {
  const { model, tokenizer } = await load(request.model);
  const source = [...tokenizer.encode(request.text, { addEos: true })];
  const { maxLength, sourceVocabSize } = model.config;
  if (source.length > maxLength)
    throw new UsageError(`--text has ${source.length} tokens with EOS, more than the model's maxLength ${maxLength}`);
  const unknown = source.find((id) => id >= sourceVocabSize);
  if (unknown !== undefined)
    throw new UsageError(`--text: the tokenizer gave id ${unknown}, outside the model's vocabulary`);

  const [best] = translateIds(model, [source], { beam: request.beam })[0];
  const foreign = best.tokens.find((id) => id >= tokenizer.vocabSize);
  if (foreign !== undefined)
    throw new InputError(
      `the model gave token id ${foreign}, which ${request.model}'s tokenizer (${tokenizer.vocabSize} pieces) does not have`,
    );
  const maps = attentionWeights(model, source, best.tokens);
  const map = chooseMap(maps, request.kind, request.layer);
  const piece = (id: number) => tokenizer.idToPiece(id);
  const axes = attentionAxes(request.kind, source.map(piece), best.tokens.map(piece));
  return { picture: attentionGridSvg(map, axes.rows, axes.cols, axes), translation: tokenizer.decode(best.tokens) };
}

function chooseMap(maps: AttentionMap[], kind: AttentionKind, layerFlag: string | undefined): AttentionMap {
  const layers = new Map<number, AttentionMap>();
  for (const map of maps) {
    const match = MODULE_OF[kind].exec(map.name);
    if (match !== null) layers.set(Number(match[1]), map);
  }
  if (layers.size === 0) throw new InputError(`--kind ${kind}: the model has no such attention`);
  const layer = layerFlag === undefined ? layers.size - 1 : integerFlag('--layer', layerFlag, 0, layers.size - 1);
  return layers.get(layer)!;
}

async function load(dir: string): Promise<{ model: EncoderDecoder; tokenizer: TextTokenizer }> {
  const { model, tokenizer } = await openModelFolder(dir);
  if (!(model instanceof EncoderDecoder))
    throw new InputError(`plot attention needs an encoder-decoder model; ${dir} holds a ${model.config.kind} model`);
  if (tokenizer === null) throw new InputError(`${dir} has no ${TOKENIZER_FILE} to read --text with`);
  return { model, tokenizer };
}
