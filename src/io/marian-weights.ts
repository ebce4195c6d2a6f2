// MarianMTModel's parameter names against ours. Each of our parameters is one HF tensor, or several
// stacked by rows: a self-attention's qkv (3d, d) is q_proj, k_proj, v_proj; a cross-attention's kv
// (2d, d) is k_proj, v_proj. Embeddings may be stored under several tied names (model.shared,
// model.{encoder,decoder}.embed_tokens, lm_head); final_logits_bias is (1, V).

import { sinusoidTable } from '../model/embeddings.js';
import type { ModelConfig } from '../model/config.js';
import type { Tensor } from '../tensor/tensor.js';
import { oneLine } from '../quote.js';
import { requireFinite, sameShape, shapeText, type StoredTensor, type TensorToWrite } from './safetensors-format.js';
import { ModelFolderError, problemList } from './model-files.js';

const FINAL_LOGITS_BIAS = 'final_logits_bias';
const POSITIONS = ['model.encoder.embed_positions.weight', 'model.decoder.embed_positions.weight'];

/** Our name -> the HF names whose rows make it, in order (for a layer: every Linear and LayerNorm). */
export function marianNames(config: ModelConfig): Map<string, string[]> {
  const names = new Map<string, string[]>();
  const both = (ours: string, theirs: string[]) => {
    for (const p of ['weight', 'bias'])
      names.set(
        `${ours}.${p}`,
        theirs.map((t) => `${t}.${p}`),
      );
  };
  for (let i = 0; i < config.encoderLayers; i++) {
    const [o, t] = [`encoder.layers.${i}`, `model.encoder.layers.${i}`];
    both(
      `${o}.selfAttention.qkv`,
      ['q', 'k', 'v'].map((x) => `${t}.self_attn.${x}_proj`),
    );
    both(`${o}.selfAttention.out`, [`${t}.self_attn.out_proj`]);
    both(`${o}.norm1`, [`${t}.self_attn_layer_norm`]);
    both(`${o}.ffn.w1`, [`${t}.fc1`]);
    both(`${o}.ffn.w2`, [`${t}.fc2`]);
    both(`${o}.norm2`, [`${t}.final_layer_norm`]);
  }
  for (let i = 0; i < config.decoderLayers; i++) {
    const [o, t] = [`decoder.layers.${i}`, `model.decoder.layers.${i}`];
    both(
      `${o}.selfAttention.qkv`,
      ['q', 'k', 'v'].map((x) => `${t}.self_attn.${x}_proj`),
    );
    both(`${o}.selfAttention.out`, [`${t}.self_attn.out_proj`]);
    both(`${o}.norm1`, [`${t}.self_attn_layer_norm`]);
    both(`${o}.crossAttention.q`, [`${t}.encoder_attn.q_proj`]);
    both(
      `${o}.crossAttention.kv`,
      ['k', 'v'].map((x) => `${t}.encoder_attn.${x}_proj`),
    );
    both(`${o}.crossAttention.out`, [`${t}.encoder_attn.out_proj`]);
    both(`${o}.norm2`, [`${t}.encoder_attn_layer_norm`]);
    both(`${o}.ffn.w1`, [`${t}.fc1`]);
    both(`${o}.ffn.w2`, [`${t}.fc2`]);
    both(`${o}.norm3`, [`${t}.final_layer_norm`]);
  }
  return names;
}

/**
 * The HF names an embedding-like parameter may be stored under, the first being the one HF keeps when
 * it saves: tied tensors are written once.
 */
export function embeddingNames(config: ModelConfig): Map<string, string[]> {
  const names = new Map<string, string[]>();
  const lmHead = config.tieOutput ? ['lm_head.weight'] : [];
  if (config.shareEmbeddings) {
    names.set('sourceEmbedding.weight', [
      'model.shared.weight',
      'model.encoder.embed_tokens.weight',
      'model.decoder.embed_tokens.weight',
      ...lmHead,
    ]);
  } else {
    names.set('sourceEmbedding.weight', ['model.encoder.embed_tokens.weight']);
    names.set('targetEmbedding.weight', ['model.decoder.embed_tokens.weight', ...lmHead]);
  }
  if (!config.tieOutput) names.set('output.projection.weight', ['lm_head.weight']);
  return names;
}

/** What the header tells of a stored tensor. */
export interface StoredLayout {
  shape: readonly number[];
  dtype: string;
}

/**
 * What is wrong with a Marian file's names, shapes and dtypes for our parameters of `shapes` (from
 * the config, before any model exists): missing, unexpected or mis-shaped tensors, a stored position
 * table of the wrong size. The header alone answers this.
 */
export function marianLayoutProblems(
  shapes: ReadonlyMap<string, readonly number[]>,
  stored: ReadonlyMap<string, StoredLayout>,
  config: ModelConfig,
): string[] {
  const problems: string[] = [];
  const used = new Set<string>();
  for (const [ours, theirs] of marianNames(config)) {
    const shape = shapes.get(ours)!;
    const parts = theirs.map((name) => stored.get(name));
    theirs.forEach((name, i) => (parts[i] === undefined ? problems.push(`missing ${name}`) : used.add(name)));
    if (parts.some((t) => t === undefined)) continue;
    const rows = parts.reduce((n, t) => n + (t!.shape[0] ?? 0), 0);
    const rest = shape.slice(1);
    if (rows !== shape[0] || parts.some((t) => t!.shape.length === 0 || !sameShape(t!.shape.slice(1), rest))) {
      const found = theirs.map((name, i) => `${name} ${shapeText(parts[i]!.shape)}`).join(' + ');
      problems.push(`wrong shape: ${found}; expected ${shapeText(shape)} in all`);
    }
  }
  for (const [ours, aliases] of embeddingNames(config)) {
    const shape = shapes.get(ours)!;
    const present = aliases.filter((name) => stored.has(name));
    present.forEach((name) => used.add(name));
    if (present.length === 0) problems.push(`missing ${aliases.join(' or ')} ${shapeText(shape)}`);
    for (const name of present)
      if (!sameShape(stored.get(name)!.shape, shape))
        problems.push(`wrong shape ${name}: expected ${shapeText(shape)}, found ${shapeText(stored.get(name)!.shape)}`);
  }
  const bias = stored.get(FINAL_LOGITS_BIAS);
  if (bias !== undefined) {
    used.add(FINAL_LOGITS_BIAS);
    const n = config.vocabSize;
    if (bias.shape.reduce((a, b) => a * b, 1) !== n || bias.shape.at(-1) !== n)
      problems.push(`wrong shape ${FINAL_LOGITS_BIAS}: expected [1, ${n}], found ${shapeText(bias.shape)}`);
  }
  for (const name of POSITIONS) {
    const t = stored.get(name);
    if (t === undefined) continue;
    used.add(name);
    const [n, d] = t.shape;
    if (t.shape.length !== 2 || d !== config.dModel || n < config.maxLength)
      problems.push(`${name}: expected [${config.maxLength}, ${config.dModel}], found ${shapeText(t.shape)}`);
  }
  for (const [name, t] of stored) {
    if (!used.has(name)) problems.push(`unexpected ${oneLine(name, 80)} ${shapeText(t.shape)}`);
    else if (t.dtype === 'I32') problems.push(`wrong dtype ${name}: expected a float dtype, found I32`);
  }
  return problems;
}

/**
 * Fills our parameters from a Marian safetensors file. Every problem (a missing, unexpected or
 * mis-shaped tensor, tied copies that differ, positions that are not Marian's sinusoids, a NaN or
 * infinite value) is reported in one error naming the file, before any parameter is touched.
 */
export function assignMarianWeights(
  params: ReadonlyMap<string, Tensor>,
  tensors: ReadonlyMap<string, StoredTensor>,
  config: ModelConfig,
  file: string,
): void {
  const shapes = new Map([...params].map(([name, p]) => [name, p.shape] as const));
  const layout = marianLayoutProblems(shapes, tensors, config);
  if (layout.length > 0) throw marianMisfit(file, layout);
  requireFinite(tensors, file);
  const values = valueProblems(tensors, config);
  if (values.length > 0) throw marianMisfit(file, values);
  const fills: [Tensor, ArrayLike<number>[]][] = [];
  for (const [ours, theirs] of marianNames(config))
    fills.push([params.get(ours)!, theirs.map((name) => tensors.get(name)!.data)]);
  for (const [ours, aliases] of embeddingNames(config))
    fills.push([params.get(ours)!, [tensors.get(aliases.find((name) => tensors.has(name))!)!.data]]);
  const bias = params.get('output.finalLogitsBias')!;
  // HF's default when the file has none: zeros
  fills.push([bias, [tensors.get(FINAL_LOGITS_BIAS)?.data ?? new Float32Array(bias.size)]]);
  for (const [p, parts] of fills) {
    const target = p.dense();
    let offset = 0;
    for (const part of parts) {
      target.set(part, offset);
      offset += part.length;
    }
  }
}

/** The file's tensors, each name and shape right: tied copies must agree and stored positions be the sinusoids. */
function valueProblems(tensors: ReadonlyMap<string, StoredTensor>, config: ModelConfig): string[] {
  const problems: string[] = [];
  for (const aliases of embeddingNames(config).values()) {
    const present = aliases.filter((name) => tensors.has(name));
    for (const other of present.slice(1))
      if (!sameValues(tensors.get(present[0])!, tensors.get(other)!))
        problems.push(`${other} differs from ${present[0]}, but config.json ties them`);
  }
  for (const name of POSITIONS) {
    const t = tensors.get(name);
    const problem = t === undefined ? null : positionsProblem(t, config);
    if (problem !== null) problems.push(`${name}: ${problem}`);
  }
  return problems;
}

export function marianMisfit(file: string, problems: readonly string[]): ModelFolderError {
  return new ModelFolderError(
    `${file} does not fit the MarianMTModel of its config.json (${problems.length} problems): ${problemList(problems)}`,
  );
}

/**
 * Our parameters under HF names, each tied tensor once (under the name HF keeps), rows of fused
 * projections split back out; final_logits_bias as (1, V).
 */
export function marianTensors(
  params: ReadonlyMap<string, Tensor>,
  config: ModelConfig,
  values: (name: string) => Float32Array,
): Map<string, TensorToWrite> {
  const out = new Map<string, TensorToWrite>();
  for (const [ours, theirs] of marianNames(config)) {
    const shape = params.get(ours)!.shape;
    const data = values(ours);
    const rows = shape[0] / theirs.length;
    const width = data.length / shape[0];
    theirs.forEach((name, i) =>
      out.set(name, {
        shape: [rows, ...shape.slice(1)],
        data: data.subarray(i * rows * width, (i + 1) * rows * width),
      }),
    );
  }
  for (const [ours, aliases] of embeddingNames(config))
    out.set(aliases[0], { shape: params.get(ours)!.shape, data: values(ours) });
  const bias = params.has('output.finalLogitsBias')
    ? values('output.finalLogitsBias')
    : new Float32Array(config.vocabSize); // a model without one: Marian's buffer of zeros
  out.set(FINAL_LOGITS_BIAS, { shape: [1, config.vocabSize], data: bias });
  return out;
}

function sameValues(a: StoredTensor, b: StoredTensor): boolean {
  if (!sameShape(a.shape, b.shape)) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** A stored position table (of a fitting size) must be Marian's sines-then-cosines (HF does not save them; old files do). */
function positionsProblem(t: StoredTensor, config: ModelConfig): string | null {
  const table = sinusoidTable(t.shape[0], config.dModel, true);
  let worst = 0;
  for (let i = 0; i < table.length; i++) worst = Math.max(worst, Math.abs(table[i] - t.data[i]));
  const tolerance = t.dtype === 'F16' || t.dtype === 'BF16' ? 1e-2 : 1e-4;
  return worst <= tolerance ? null : `not the sines-then-cosines table (differs by up to ${worst.toExponential(2)})`;
}

/**
 * The paper's interleaved sinusoids (sin, cos, sin, cos, ...) are Marian's halves (all sines, then all
 * cosines) in another order of the d_model axis. Permuting that axis everywhere the residual stream is
 * read or written gives the same function, so such a model exports exactly: this returns a parameter's
 * values in the halves order. New position j holds old position from[j].
 */
export function toHalvesOrder(name: string, data: Float32Array, shape: readonly number[]): Float32Array {
  const d = shape.at(-1)!;
  const columns = /(Embedding|projection|qkv|\.q|\.kv|w1)\.weight$/.test(name);
  const rows = /(out|w2)\.weight$/.test(name);
  const vector = /((out|w2)\.bias|norm\d\.(weight|bias))$/.test(name);
  if (!columns && !rows && !vector) return data;
  const n = columns ? d : shape[0];
  const from = Int32Array.from({ length: n }, (_, j) => (j < n / 2 ? 2 * j : 2 * (j - n / 2) + 1));
  const out = new Float32Array(data.length);
  if (columns) {
    for (let r = 0; r < data.length / d; r++) for (let j = 0; j < d; j++) out[r * d + j] = data[r * d + from[j]];
  } else {
    const width = data.length / n;
    for (let j = 0; j < n; j++) out.set(data.subarray(from[j] * width, (from[j] + 1) * width), j * width);
  }
  return out;
}
