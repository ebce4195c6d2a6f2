// The two sides of `transformer bench decode --vs onnxruntime`, each run in its own process so that
// its peak RSS is its own: our engine (loadMarian + translateIds, greedy) and onnxruntime-node on the
// ONNX export of the same folder (scripts/export_marian_onnx.py) with its own KV-cache greedy loop,
// as a JavaScript developer would write it on onnxruntime: finished sentences stay in the batch, the
// pad token is banned, and a sentence ends at EOS or, at its length cap, with EOS. Both sides read the
// same source ids, batch them sorted by length, time the translation only (after one warm-up batch),
// and print one JSON line {tokens_per_second, tokens, seconds, sentences, peak_rss_mb} last.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SideOptions {
  folder: string;
  ids: string;
  batch: number;
  threads: number;
  /** Where the side writes its outputs (one line of ids per sentence). */
  out: string;
}

export interface SideResult {
  tokens_per_second: number;
  tokens: number;
  seconds: number;
  sentences: number;
  peak_rss_mb: number;
}

/** The token ids of each source, one line each. */
function readIds(file: string): number[][] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim().split(' ').map(Number));
}

/** Batches of source indices sorted by length (then index), as translateIds makes them. */
function batches(sources: number[][], size: number): number[][] {
  const order = sources.map((_, i) => i).sort((a, b) => sources[a].length - sources[b].length || a - b);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
  return out;
}

function finish(outputs: number[][], seconds: number, o: SideOptions): SideResult {
  writeFileSync(o.out, outputs.map((t) => `${t.join(' ')}\n`).join(''));
  const tokens = outputs.reduce((n, t) => n + t.length, 0);
  return {
    tokens_per_second: tokens / seconds,
    tokens,
    seconds,
    sentences: outputs.length,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Outputs are capped at the source length: at most |source| tokens before EOS. */
const CAP = { maxLenA: 1, maxLenB: 0 };

export async function runOurs(o: SideOptions): Promise<SideResult> {
  const { setNativeThreads } = await import('../backend/native/index.js');
  const { loadMarian } = await import('../io/marian.js');
  const { translateIds } = await import('../decode/index.js');
  setNativeThreads(o.threads);
  const { model } = await loadMarian(o.folder);
  const sources = readIds(o.ids);
  const options = { beam: 1, batchSize: o.batch, ...CAP };
  translateIds(
    model,
    batches(sources, o.batch)[0].map((i) => sources[i]),
    options,
  ); // warm-up
  const began = performance.now();
  const results = translateIds(model, sources, options);
  const seconds = (performance.now() - began) / 1000;
  return finish(
    results.map(([best]) => best.tokens),
    seconds,
    o,
  );
}

/** The subset of onnxruntime-node's API the loop uses. */
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: number[]) => OrtTensor;
  InferenceSession: { create(path: string, options: object): Promise<OrtSession> };
}

interface MarianIds {
  eos: number;
  pad: number;
  start: number;
  layers: number;
  heads: number;
  dModel: number;
}

function marianIds(folder: string): MarianIds {
  const c = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, number>;
  return {
    eos: c.eos_token_id,
    pad: c.pad_token_id,
    start: c.decoder_start_token_id ?? c.pad_token_id,
    layers: c.decoder_layers,
    heads: c.decoder_attention_heads,
    dModel: c.d_model,
  };
}

export async function openSessions(folder: string, threads: number) {
  const ort = (await import('onnxruntime-node')) as unknown as Ort;
  const options = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' };
  const encoder = await ort.InferenceSession.create(join(folder, 'onnx', 'encoder.onnx'), options);
  const decoder = await ort.InferenceSession.create(join(folder, 'onnx', 'decoder.onnx'), options);
  return { ort, encoder, decoder, ids: marianIds(folder) };
}

type Sessions = Awaited<ReturnType<typeof openSessions>>;

/**
 * Greedy decoding of one batch on onnxruntime with its own key/value cache. `onLogits` (for the
 * parity check) sees each step's logits (B x V) before the choice.
 */
export async function ortGreedy(
  s: Sessions,
  sources: number[][],
  onLogits?: (step: number, logits: Float32Array) => void,
): Promise<number[][]> {
  const { ort, encoder, decoder, ids } = s;
  const B = sources.length;
  const S = Math.max(...sources.map((x) => x.length));
  const input = new BigInt64Array(B * S).fill(BigInt(ids.pad));
  sources.forEach((x, b) => x.forEach((id, j) => (input[b * S + j] = BigInt(id))));
  const encoded = await encoder.run({ input_ids: new ort.Tensor('int64', input, [B, S]) });
  const dK = ids.dModel / ids.heads;
  const feeds: Record<string, OrtTensor> = { memory_mask: encoded.memory_mask };
  for (let i = 0; i < ids.layers; i++) {
    for (const kind of ['k', 'v']) {
      feeds[`cross_${kind}_${i}`] = encoded[`cross_${kind}_${i}`];
      feeds[`past_${kind}_${i}`] = new ort.Tensor('float32', new Float32Array(0), [B, ids.heads, 0, dK]);
    }
  }
  const outputs: number[][] = sources.map(() => []);
  const done = sources.map(() => false);
  const next = new BigInt64Array(B).fill(BigInt(ids.start));
  for (let step = 0; done.includes(false); step++) {
    feeds.input_ids = new ort.Tensor('int64', next, [B, 1]);
    feeds.offset = new ort.Tensor('int64', BigInt64Array.of(BigInt(step)), [1]);
    const result = await decoder.run(feeds);
    const logits = result.logits.data as Float32Array;
    const V = logits.length / B;
    onLogits?.(step, logits);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      let token = ids.eos;
      if (outputs[b].length < sources[b].length * CAP.maxLenA + CAP.maxLenB) {
        token = -1;
        for (let v = 0; v < V; v++)
          if (v !== ids.pad && (token < 0 || logits[b * V + v] > logits[b * V + token])) token = v;
      }
      if (token === ids.eos) done[b] = true;
      else outputs[b].push(token);
      next[b] = BigInt(token);
    }
    for (let i = 0; i < ids.layers; i++)
      for (const kind of ['k', 'v']) feeds[`past_${kind}_${i}`] = result[`present_${kind}_${i}`];
  }
  return outputs;
}

export async function runOnnxruntime(o: SideOptions): Promise<SideResult> {
  const sessions = await openSessions(o.folder, o.threads);
  const sources = readIds(o.ids);
  const order = batches(sources, o.batch);
  await ortGreedy(
    sessions,
    order[0].map((i) => sources[i]),
  ); // warm-up
  const outputs: number[][] = sources.map(() => []);
  const began = performance.now();
  for (const batch of order) {
    const results = await ortGreedy(
      sessions,
      batch.map((i) => sources[i]),
    );
    batch.forEach((i, j) => (outputs[i] = results[j]));
  }
  return finish(outputs, (performance.now() - began) / 1000, o);
}
