// Tokenizer speed: learning 10,000 merges on Multi30k train (German + English, 58,000 lines) and
// encoding text line by line. `npx tsc -p tsconfig.json && node dist/bench/tokenizer.js [--merges N]`.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { learnBpe, Tokenizer } from '../src/tokenizer/index.js';
import { root } from './compare.js';

const args = process.argv.slice(2);
const merges = args.includes('--merges') ? Number(args[args.indexOf('--merges') + 1]) : 10000;
const data = root('../shared/data/');

function lines(path: string): string[] {
  const all = readFileSync(data + path, 'utf8').split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

const train = [...lines('multi30k/train.de'), ...lines('multi30k/train.en')];
let start = performance.now();
const learnt = learnBpe(train, { numMerges: merges });
const learnSeconds = (performance.now() - start) / 1000;
console.log(
  `learn: ${merges} merges on ${train.length} lines in ${learnSeconds.toFixed(2)} s (vocabulary ${learnt.vocabSize})`,
);

function encodeRate(name: string, text: string[], tokenizer: Tokenizer): void {
  const bytes = text.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
  start = performance.now();
  let tokens = 0;
  for (const line of text) tokens += tokenizer.encode(line).length;
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `encode ${name}: ${(bytes / 1e6 / seconds).toFixed(1)} MB/s (${(bytes / 1e6).toFixed(1)} MB, ${tokens} tokens)`,
  );
}

// A fresh tokenizer has an empty word cache: the first pass measures the merge loop too.
const fresh = () => new Tokenizer(learnt.spec);
const cold = fresh();
encodeRate('Multi30k train, first pass', train, cold);
encodeRate('Multi30k train, second pass', train, cold);
const news = [...lines('newstest2014/newstest2014-full.de'), ...lines('newstest2014/newstest2014-full.en')];
encodeRate('newstest2014 (unseen text), first pass', news, fresh());
