// `transformer bench <what>`: throughput benchmarks.

import { benchGemm } from './bench-gemm.js';

export async function bench(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === 'gemm') return benchGemm(rest);
  console.error(`transformer bench: unknown benchmark "${what ?? ''}"; available: gemm`);
  return 2;
}
