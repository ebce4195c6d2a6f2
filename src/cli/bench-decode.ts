// `transformer bench decode`: greedy decoding throughput of the paper's encoder-decoder on the key/value
// cache: random weights (eval mode), B random sources of 24 tokens, exactly 24 target tokens each (no stop
// at EOS), the encoder included in the time. The number bench/decode-vs-torch.ts compares with PyTorch.
// With --json the last line printed is {"tokens_per_second","batch_size","ms",...}. With --vs onnxruntime it
// compares translation with onnxruntime-node instead (bench-decode-onnx.ts).

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { backend } from '../backend/registry.js';
import { nativeThreads, setNativeThreads, simdLevel } from '../backend/native/index.js';
import { decodeFixedLength } from '../decode/fixed-length.js';
import { createModel, makeConfig, quantizeModel, type EncoderDecoder, type PresetName } from '../model/index.js';
import * as T from '../tensor/index.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { quote } from '../quote.js';
import { UsageError, integerFlag } from './flags.js';
import { benchDecodeVsOnnx } from './bench-decode-onnx.js';
import { parseQuantize } from './quantize-flag.js';
import type { Quantization } from '../nn/int8.js';

const PRESETS: PresetName[] = ['small', 'base', 'big', 'tiny'];

interface BenchDecodeOptions {
  preset: PresetName;
  batch: number;
  srcLen: number;
  tokens: number;
  vocab: number;
  repeats: number;
  threads: number;
  quantize: Quantization;
  json: boolean;
}

function parseOptions(argv: string[]): BenchDecodeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'small' },
      'batch-size': { type: 'string', default: '1' },
      'src-len': { type: 'string', default: '24' },
      tokens: { type: 'string', default: '24' },
      'vocab-size': { type: 'string', default: '8000' },
      repeats: { type: 'string', default: '5' },
      threads: { type: 'string' },
      quantize: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const preset = values.preset as PresetName;
  if (!PRESETS.includes(preset))
    throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}, got ${quote(preset)}`);
  return {
    preset,
    batch: integerFlag('--batch-size', values['batch-size'], 1, 65536),
    srcLen: integerFlag('--src-len', values['src-len'], 1, 4096),
    tokens: integerFlag('--tokens', values.tokens, 1, 4096),
    vocab: integerFlag('--vocab-size', values['vocab-size'], 5),
    repeats: integerFlag('--repeats', values.repeats, 1),
    threads: values.threads === undefined ? availableParallelism() : integerFlag('--threads', values.threads, 1, 1024),
    quantize: parseQuantize(values.quantize),
    json: values.json,
  };
}

export async function benchDecode(argv: string[]): Promise<number> {
  if (argv.includes('--vs')) return benchDecodeVsOnnx(argv);
  const o = parseOptions(argv);
  if (backend().name === 'native') setNativeThreads(o.threads);
  T.manualSeed(1);
  const config = makeConfig(o.preset, { vocabSize: o.vocab, maxLength: Math.max(1024, o.srcLen, o.tokens + 1) });
  const model = createModel(config).eval() as EncoderDecoder;
  quantizeModel(model, o.quantize);
  const g = new Generator(2);
  const ids = Int32Array.from({ length: o.batch * o.srcLen }, () => 4 + Math.floor(g.uniform() * (o.vocab - 4)));
  const source = Tensor.from(ids, [o.batch, o.srcLen]);
  decodeFixedLength(model, source, o.tokens); // warm-up: buffer pool, thread pool, JIT
  const times: number[] = [];
  for (let r = 0; r < o.repeats; r++) {
    const t0 = performance.now();
    decodeFixedLength(model, source, o.tokens);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[times.length >> 1];
  const tokensPerSecond = (o.batch * o.tokens) / (ms / 1000);
  const threads = backend().name === 'native' ? nativeThreads() : 1;
  console.log(
    `decode ${o.preset} (vocab ${o.vocab}), batch ${o.batch}, source ${o.srcLen}, ${o.tokens} greedy tokens on the ` +
      `key/value cache, ${o.quantize === 'int8' ? 'int8 weights, ' : ''}${backend().name} backend${simdLevel() === null ? '' : ` (${simdLevel()})`}, ${threads} threads`,
  );
  console.log(
    `median ${ms.toFixed(1)} ms per batch (best ${times[0].toFixed(1)}, ${o.repeats} repeats) = ` +
      `${tokensPerSecond.toFixed(0)} tokens/s, ${(ms / o.tokens).toFixed(2)} ms per step`,
  );
  if (o.json) {
    console.log(
      JSON.stringify({
        tokens_per_second: Math.round(tokensPerSecond * 10) / 10,
        batch_size: o.batch,
        ms: Math.round(ms * 100) / 100,
        ms_per_step: Math.round((ms / o.tokens) * 1000) / 1000,
        preset: o.preset,
        vocab_size: o.vocab,
        src_len: o.srcLen,
        tokens: o.tokens,
        repeats: o.repeats,
        threads,
        quantize: o.quantize,
        backend: backend().name,
      }),
    );
  }
  return 0;
}
