// Load test for `transformer serve`, on loopback, bounded in time and requests: C clients send
// W-word sentences back to back for S seconds while a probe sends, once a second, an oversized body
// (expects 413) and an over-long sentence (expects 4xx). Reports requests/s, latency percentiles,
// failures, the probes' latencies and the server's resident memory over the run.
//
//   node dist/bench/serve-load.js --model DIR [--sentences FILE] [--clients 8] [--seconds 60] [--words 20]
//       [--beam 1] [--attention] [--threads 2] [--warmup 15] [--max-requests 100000] [--json]
//
// Sentences: W consecutive words of FILE (default: the model folder's data/test.src, as the demo
// writes it), taken in turn. Exits 1 when a goal is missed: a failed request, p95 >= 1 s, a probe
// >= 50 ms, or memory growing by more than 10% during the measured S seconds. A warm-up of --warmup
// seconds (default 15) runs the same load first and is not counted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { option, root } from './compare.js';

const modelFlag = option('--model');
if (modelFlag === undefined) {
  console.error('usage: node dist/bench/serve-load.js --model DIR [--sentences FILE] [--clients 8] [--seconds 60] ...');
  process.exit(2);
}
const model: string = modelFlag;
const clients = Number(option('--clients', '8'));
const seconds = Number(option('--seconds', '60'));
const warmup = Number(option('--warmup', '15'));
const words = Number(option('--words', '20'));
const beam = Number(option('--beam', '1'));
const maxRequests = Number(option('--max-requests', '100000'));
const threads = option('--threads', '2');
const attention = process.argv.includes('--attention');
const json = process.argv.includes('--json');
const sentenceFile = option('--sentences', join(model, 'data', 'test.src'));
if (!existsSync(sentenceFile)) {
  console.error(`no sentences: ${sentenceFile} does not exist (pass --sentences FILE)`);
  process.exit(2);
}

const allWords = readFileSync(sentenceFile, 'utf8').split(/\s+/).filter(Boolean);
const sentences: string[] = [];
for (let i = 0; i + words <= allWords.length && sentences.length < 2000; i += words)
  sentences.push(allWords.slice(i, i + words).join(' '));
if (sentences.length === 0) {
  console.error(`${sentenceFile} has fewer than ${words} words`);
  process.exit(2);
}

/** Starts the server on a free port and resolves with its URL and process. */
function startServer(): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(process.execPath, [root('bin/transformer.js'), 'serve', '--model', model, '--port', '0'], {
    env: { ...process.env, TRANSFORMER_THREADS: threads },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      const match = /at (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: new URL(match[1]) });
    });
    child.on('exit', (code) => reject(new Error(`the server exited with code ${code}`)));
  });
}

/** A reply: its status (0: a network error), the milliseconds to the last byte, and its body. */
interface Reply {
  status: number;
  ms: number;
  body: string;
}

/** One POST; resolves with the status and the milliseconds to the last byte (status 0: a network error). */
function post(url: URL, body: string, agent?: Agent): Promise<Reply> {
  const began = performance.now();
  return new Promise((resolve) => {
    const req = request(
      new URL('/api/translate', url),
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - began,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', (error) => resolve({ status: 0, ms: performance.now() - began, body: error.message }));
    req.end(body);
  });
}

function residentMegabytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const percentile = (sorted: number[], p: number): number | undefined =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const { child, url } = await startServer();
let latencies: number[] = [];
let failures: string[] = [];
let probes: { oversized: number[]; overlong: number[]; wrongStatus: string[] } = {
  oversized: [],
  overlong: [],
  wrongStatus: [],
};
let memory: { seconds: number; mb: number }[] = [];
let began = 0;
let stopAt = 0;
let measuring = false;

/** Clients and probe for `duration` seconds; the warm-up phase is run the same way and then forgotten. */
async function phase(duration: number): Promise<number> {
  latencies = [];
  failures = [];
  probes = { oversized: [], overlong: [], wrongStatus: [] };
  memory = [];
  began = performance.now();
  stopAt = began + duration * 1000;
  await Promise.all([...Array.from({ length: clients }, (_, i) => client(i)), probe()]);
  return (performance.now() - began) / 1000;
}
const running = () => performance.now() < stopAt && latencies.length + failures.length < maxRequests;

async function client(id: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  for (let n = id; running(); n += clients) {
    const body = JSON.stringify({ text: sentences[n % sentences.length], beam, attention });
    const reply = await post(url, body, agent);
    if (reply.status === 200) latencies.push(reply.ms);
    else failures.push(`${reply.status}: ${reply.body.slice(0, 200)}`);
  }
  agent.destroy();
}

const oversized = JSON.stringify({ text: 'x'.repeat(64 * 1024) });
const overlong = JSON.stringify({ text: Array(40).fill(sentences[0]).join(' ') });

async function probe() {
  while (running()) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const big = await post(url, oversized);
    probes.oversized.push(big.ms);
    if (big.status !== 413) probes.wrongStatus.push(`oversized body: ${big.status}`);
    const long = await post(url, overlong);
    probes.overlong.push(long.ms);
    if (!(long.status >= 400 && long.status < 500)) probes.wrongStatus.push(`over-long sentence: ${long.status}`);
    else if (measuring && probes.overlong.length === 1 && !json)
      console.log(`over-long sentence: ${long.status} ${long.body}`);
    memory.push({ seconds: (performance.now() - began) / 1000, mb: residentMegabytes(child.pid!) });
  }
}

if (warmup > 0) await phase(warmup);
measuring = true;
const elapsed = await phase(seconds);
child.kill('SIGINT');

latencies.sort((a, b) => a - b);
const rssStart = memory[0]?.mb;
const rssEnd = memory.at(-1)?.mb;
const result = {
  clients,
  words,
  beam,
  attention,
  seconds: Number(elapsed.toFixed(1)),
  requests: latencies.length,
  failed: failures.length,
  requestsPerSecond: Number((latencies.length / elapsed).toFixed(2)),
  latencyMs: Object.fromEntries(
    [50, 90, 95, 99]
      .map((p) => [`p${p}`, Number(percentile(latencies, p)?.toFixed(1))])
      .concat([['max', Number(latencies.at(-1)?.toFixed(1))]]),
  ),
  probeMaxMs: {
    oversized413: Number(Math.max(...probes.oversized).toFixed(1)),
    overlong4xx: Number(Math.max(...probes.overlong).toFixed(1)),
  },
  probes: probes.oversized.length,
  probeWrongStatus: probes.wrongStatus,
  rssEvery10s: memory.filter((_, i) => i % 10 === 9).map((m) => Math.round(m.mb)),
  rssMb: {
    atStart: Number(rssStart?.toFixed(1)),
    atEnd: Number(rssEnd?.toFixed(1)),
    max: Number(Math.max(...memory.map((m) => m.mb)).toFixed(1)),
  },
};
const missed: string[] = [];
if (result.failed > 0) missed.push(`${result.failed} failed requests (first: ${failures[0]})`);
if (!(result.latencyMs.p95 < 1000)) missed.push(`p95 latency ${result.latencyMs.p95} ms >= 1000`);
if (!(result.probeMaxMs.oversized413 < 50)) missed.push(`413 took ${result.probeMaxMs.oversized413} ms`);
if (!(result.probeMaxMs.overlong4xx < 50)) missed.push(`over-long sentence took ${result.probeMaxMs.overlong4xx} ms`);
if (probes.wrongStatus.length > 0) missed.push(`probes got ${probes.wrongStatus.join(', ')}`);
if (rssEnd !== undefined && rssStart !== undefined && rssEnd > rssStart * 1.1)
  missed.push(`memory grew from ${rssStart.toFixed(0)} to ${rssEnd.toFixed(0)} MB`);
const goalsMet = missed.length === 0;

if (json) console.log(JSON.stringify({ ...result, goalsMet }));
else {
  console.log(
    `${clients} clients, ${words}-word sentences, beam ${beam}${attention ? ', with attention' : ''}, ${result.seconds} s`,
  );
  console.log(`requests: ${result.requests} ok, ${result.failed} failed, ${result.requestsPerSecond}/s`);
  console.log(
    `latency ms: ${Object.entries(result.latencyMs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `probes (${result.probes} each): 413 at most ${result.probeMaxMs.oversized413} ms, over-long at most ${result.probeMaxMs.overlong4xx} ms`,
  );
  console.log(
    `server RSS MB: ${result.rssMb.atStart} at the start, ${result.rssMb.atEnd} at the end, ${result.rssMb.max} max; every 10 s: ${result.rssEvery10s.join(' ')}`,
  );
  console.log(missed.length === 0 ? 'goals met' : `goals missed:\n  ${missed.join('\n  ')}`);
}
process.exit(missed.length === 0 ? 0 : 1);
