// `transformer bench <what>`: throughput benchmarks.

import { benchAttention } from './bench-attention.js';
import { benchDecode } from './bench-decode.js';
import { benchGemm } from './bench-gemm.js';
import { benchTrain } from './bench-train.js';
import { UsageError } from './flags.js';
import { quote } from '../quote.js';

export async function bench(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'gemm') return benchGemm(rest);
  if (what === 'train') return benchTrain(rest);
  if (what === 'decode') return benchDecode(rest);
  if (what === 'attention') return benchAttention(rest);
  throw new UsageError(
    `${what === undefined ? 'which benchmark?' : `unknown benchmark ${quote(what)};`} gemm, train, decode or attention (transformer bench --help)`,
  );
}
