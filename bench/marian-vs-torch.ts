// Translating newstest2014 with a base-size MarianMT folder (d_model 512, 6 + 6 layers, 8 heads, ffn 2048,
// an 8,000-piece unigram SentencePiece vocabulary, random weights) at beam 4: ours (loadMarian +
// translateIds) against bench/torch_marian.py (the same weights in PyTorch, the same beam search on a
// key/value cache), the same source ids (our MarianTokenizer's), batches of 32 sentences sorted by
// length, the same thread count. Random weights rarely emit EOS, so both sides stop every output at the
// same cap: at most floor(A * source tokens + B) tokens before EOS (--max-len-a 1 --max-len-b 0: as
// long as the source), then EOS. Tokenization and model loading are outside the timed part.
// Usage (after `npm run build`; PYTHON=... picks the interpreter, /usr/bin/python3 by default, which
// needs torch, and sentencepiece to make the folder):
//   node dist/bench/marian-vs-torch.js [--folder /tmp/marian-base] [--source ../shared/data/newstest2014/newstest2014-full.en]
//     [--threads 2] [--beam 4] [--batch-size 32] [--limit N] [--max-len-a 1] [--max-len-b 0] [--probe 96]
// The folder is made once (bench/torch_marian.py --make-folder) when missing. PyTorch runs in its fastest
// of three set-ups, probed on the first --probe sentences: its BLAS or oneDNN linear layers with the
// thread count, or BLAS with one thread. Prints a table and, last, one JSON line
// {"threads", "beam", "sentences", "ours", "torch", "probes", "ratio", "agreement"}.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { lastJson, option, root } from './compare.js';

/** What each side prints last: its speed, and the sizes of what it translated. */
interface SideResult {
  sentences_per_second: number;
  tokens_per_second: number;
  seconds: number;
  sentences: number;
  tokens: number;
  source_tokens: number;
}

const folder = option('--folder', '/tmp/marian-base');
const source = option('--source', root('../shared/data/newstest2014/newstest2014-full.en'));
const threads = Number(option('--threads', '2'));
const beam = Number(option('--beam', '4'));
const batchSize = Number(option('--batch-size', '32'));
const limit = Number(option('--limit', '0'));
const maxLenA = Number(option('--max-len-a', '1'));
const maxLenB = Number(option('--max-len-b', '0'));
const probe = Number(option('--probe', '96'));
const python = process.env.PYTHON ?? '/usr/bin/python3';
const idsFile = join(folder, 'newstest.ids');

/**
 * Our side, in its own process (run with --side ours): tokenize, then time translateIds. The library is
 * loaded here, so that the process that runs PyTorch does not hold it and its native threads.
 */
async function ours() {
  const { loadMarian } = await import('../src/io/marian.js');
  const { translateIds } = await import('../src/decode/index.js');
  const { model, tokenizer } = await loadMarian(folder);
  let lines = readFileSync(source, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  if (limit > 0) lines = lines.slice(0, limit);
  const sources = lines.map((l) => [...tokenizer.encode(l, { addEos: true })]);
  writeFileSync(idsFile, sources.map((s) => `${s.join(' ')}\n`).join(''));
  const began = performance.now();
  const results = translateIds(model, sources, { beam, batchSize, maxLenA, maxLenB, alpha: 0.6 });
  const seconds = (performance.now() - began) / 1000;
  const outputs = results.map(([best]) => best.tokens);
  writeFileSync(join(folder, 'ours.out'), outputs.map((o) => `${o.join(' ')}\n`).join(''));
  const tokens = outputs.reduce((n, o) => n + o.length, 0);
  console.log(
    JSON.stringify({
      sentences_per_second: sources.length / seconds,
      tokens_per_second: tokens / seconds,
      seconds,
      sentences: sources.length,
      tokens,
      source_tokens: sources.reduce((n, s) => n + s.length, 0),
    }),
  );
}

if (option('--side', '') === 'ours') {
  await ours();
  process.exit(0);
}

if (!existsSync(join(folder, 'config.json'))) {
  const corpus = [source, source.replace(/\.en$/, '.de')].filter(existsSync).join(',');
  console.error(`making ${folder} (random weights, SentencePiece trained on ${corpus}) ...`);
  const made = spawnSync(python, [root('bench/torch_marian.py'), '--model', folder, '--make-folder', corpus], {
    stdio: 'inherit',
  });
  if (made.status !== 0) process.exit(1);
}

const load = loadavg()[0];
const env = { ...process.env, TRANSFORMER_THREADS: String(threads) };
const common = ['--folder', folder, '--source', source, '--threads', String(threads), '--beam', String(beam)];
const flags = [...common, '--batch-size', String(batchSize), '--limit', String(limit)];
const lengths = ['--max-len-a', String(maxLenA), '--max-len-b', String(maxLenB)];
const run = (command: string, args: string[]): SideResult => {
  const result = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
    process.exit(1);
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as SideResult;
};
const ourSide = run(process.execPath, [fileURLToPath(import.meta.url), '--side', 'ours', ...flags, ...lengths]);
const torchRun = (config: TorchConfig, extra: string[]) =>
  lastJson<SideResult>(python, [
    root('bench/torch_marian.py'),
    '--model',
    folder,
    '--ids',
    idsFile,
    '--beam',
    String(beam),
    '--threads',
    String(config.threads),
    '--batch-size',
    String(batchSize),
    ...(config.mkldnn ? ['--mkldnn'] : []),
    ...lengths,
    ...extra,
  ]);
// PyTorch's build here (generic BLAS, OpenMP) is erratic with 2 threads: probe its BLAS and oneDNN
// linear layers with 2 threads, and BLAS with 1, on the first sentences; the fastest translates everything.
/** One way to run PyTorch, and its speed on the first --probe sentences. */
interface TorchConfig {
  name: string;
  threads: number;
  mkldnn: boolean;
  probe?: SideResult;
}
const configs: TorchConfig[] = [
  { name: `BLAS, ${threads} threads`, threads, mkldnn: false },
  { name: `oneDNN, ${threads} threads`, threads, mkldnn: true },
  { name: 'BLAS, 1 thread', threads: 1, mkldnn: false },
].filter((_config, i) => i < 2 || threads > 1);
for (const c of configs) c.probe = torchRun(c, ['--limit', String(probe)]);
const best = configs.reduce((a, b) => (b.probe!.sentences_per_second > a.probe!.sentences_per_second ? b : a));
const torchSide = torchRun(best, ['--out', join(folder, 'torch.out')]);

const a = readFileSync(join(folder, 'ours.out'), 'utf8').split('\n');
const b = readFileSync(join(folder, 'torch.out'), 'utf8').split('\n');
const same = a.filter((line, i) => line === b[i]).length - 1; // both end with an empty line
const agreement = same / ourSide.sentences;
const ratio = ourSide.sentences_per_second / torchSide.sentences_per_second;
const row = (name: string, r: SideResult) =>
  `${name.padEnd(8)} ${r.seconds.toFixed(1).padStart(9)} ${r.sentences_per_second.toFixed(2).padStart(12)} ${r.tokens_per_second.toFixed(1).padStart(10)}`;
console.log(
  `newstest2014 (${ourSide.sentences} sentences, ${ourSide.source_tokens} source tokens with EOS), base-size Marian, ` +
    `beam ${beam}, batch ${batchSize}, ${threads} threads, outputs capped at ${maxLenA} x source + ${maxLenB} tokens; ` +
    `load average ${load.toFixed(2)} before`,
);
console.log('side       seconds  sentences/s   tokens/s');
console.log(row('ours', ourSide));
console.log(row('torch', torchSide));
console.log(`PyTorch ran as ${best.name}, the fastest on the first ${probe} sentences:`);
for (const c of configs) console.log(`  ${c.name.padEnd(20)} ${c.probe!.sentences_per_second.toFixed(2)} sentences/s`);
console.log(
  `ours/torch ${ratio.toFixed(2)}; identical best hypotheses on ${(agreement * 100).toFixed(1)}% of the sentences`,
);
const round = (r: SideResult) => ({
  sentences_per_second: Math.round(r.sentences_per_second * 100) / 100,
  tokens_per_second: Math.round(r.tokens_per_second * 10) / 10,
  seconds: Math.round(r.seconds * 10) / 10,
});
console.log(
  JSON.stringify({
    threads,
    beam,
    sentences: ourSide.sentences,
    tokens: ourSide.tokens,
    ours: round(ourSide),
    torch: { ...round(torchSide), config: best.name },
    probes: Object.fromEntries(configs.map((c) => [c.name, c.probe!.sentences_per_second])),
    ratio: Math.round(ratio * 100) / 100,
    agreement: Math.round(agreement * 1000) / 1000,
  }),
);
