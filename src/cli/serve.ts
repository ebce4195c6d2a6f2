// `transformer serve --model DIR`: the attention page and its JSON API on a local port (see
// src/serve/server.ts). Listens on 127.0.0.1 unless --host says otherwise; Ctrl-C stops it cleanly.

import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { servePlayground } from './serve-playground.js';
import { parseHost } from '../serve/security.js';
import { defaultLimits, startServer, type ServeLimits } from '../serve/server.js';
import { integerFlag, UsageError } from './flags.js';
import { parsePrecision } from './precision.js';
import { parseQuantize } from './quantize-flag.js';
import { listenError } from './listen-error.js';

const USAGE = `usage: transformer serve --model DIR [--run DIR] [--host H] [--port P] [--allowed-host NAME]...
    [--threads T] [--precision float32|bf16] [--quantize none|int8] [--max-tokens N] [--max-body BYTES] [--max-batch N] [--max-queue N]
    [--max-new-tokens N] [--log]
       transformer serve --playground [--host H] [--port P] [--allowed-host NAME]... [--log]
  --playground       serve the playground page instead (train a model in the browser tab; docs/playground.md),
                     cross-origin isolated so that the wasm backend runs threads
  --model DIR        a model folder with tokenizer.json: an encoder-decoder (translate), an encoder-only
                     (classify, tag or fill masks) or a decoder-only model (generate; a character
                     model's vocabulary.json does too)
  --run DIR          a run folder whose metrics.jsonl the page plots (default: the model folder, if it has one)
  --host H           address to listen on (default 127.0.0.1: this machine only)
  --port P           port (default 8080; 0 picks a free one)
  --allowed-host NAME
                     a name the Host header may carry besides the address listened on (and localhost),
                     at any port: this machine's DNS name, a reverse proxy's; repeatable. Other names
                     get 421, against DNS rebinding
  --threads T        native threads for the model (default: TRANSFORMER_THREADS or all cores)
  --precision P      float32 (default), or bf16: matrix products on bfloat16 operands with float32 sums
  --quantize Q       none (default), or int8: linear layers and embeddings quantized per row to int8 at load
  --max-tokens N     longest source sentence, text or prompt in tokens (default ${defaultLimits.maxTokens}, at most the model's maxLength)
  --max-body BYTES   largest request body (default ${defaultLimits.maxBodyBytes}); larger ones get 413
  --max-batch N      sentences translated together (default ${defaultLimits.maxBatch})
  --max-queue N      sentences waiting at most (default ${defaultLimits.maxQueue}); more get 503
  --max-new-tokens N tokens a decoder-only model generates per request at most (default ${defaultLimits.maxNewTokens})
  --log              one line per request on stderr`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      run: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'allowed-host': { type: 'string', multiple: true, default: [] },
      threads: { type: 'string' },
      precision: { type: 'string' },
      quantize: { type: 'string' },
      'max-tokens': { type: 'string', default: String(defaultLimits.maxTokens) },
      'max-body': { type: 'string', default: String(defaultLimits.maxBodyBytes) },
      'max-batch': { type: 'string', default: String(defaultLimits.maxBatch) },
      'max-queue': { type: 'string', default: String(defaultLimits.maxQueue) },
      'max-new-tokens': { type: 'string', default: String(defaultLimits.maxNewTokens) },
      log: { type: 'boolean', default: false },
      playground: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.playground) return servePlayground(values);
  if (values.model === undefined) throw new UsageError(`--model DIR is required\n${USAGE}`);
  if (!existsSync(values.model)) throw new UsageError(`--model ${values.model}: no such folder`);
  if (values.run !== undefined && !existsSync(values.run)) throw new UsageError(`--run ${values.run}: no such folder`);
  for (const name of values['allowed-host'])
    if (parseHost(name) === null)
      throw new UsageError(`--allowed-host must be a host name or address (e.g. mybox.local), got "${name}"`);
  const limits: Partial<ServeLimits> = {
    maxTokens: integerFlag('--max-tokens', values['max-tokens'], 2),
    maxBodyBytes: integerFlag('--max-body', values['max-body'], 64),
    maxBatch: integerFlag('--max-batch', values['max-batch'], 1, 1024),
    maxQueue: integerFlag('--max-queue', values['max-queue'], 1),
    maxNewTokens: integerFlag('--max-new-tokens', values['max-new-tokens'], 1, 1 << 20),
  };
  if (!statSync(values.model).isDirectory()) throw new UsageError(`--model ${values.model}: a folder was expected`);
  const port = integerFlag('--port', values.port, 0, 65535);
  const threads = values.threads === undefined ? null : integerFlag('--threads', values.threads, 1, 256);
  let running;
  try {
    running = await startServer({
      modelDir: values.model,
      runDir: values.run ?? null,
      host: values.host,
      allowedHosts: values['allowed-host'],
      port,
      threads,
      precision: parsePrecision('--precision', values.precision),
      quantize: parseQuantize(values.quantize),
      limits,
      log: values.log ? (line) => console.error(line) : undefined,
    });
  } catch (error) {
    throw listenError(error, values.host, values.port);
  }
  const m = running.model;
  console.log(
    `serving ${values.model} (${m.parameters.toLocaleString('en-US')} parameters, backend ${m.backend}) at ${running.url}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('stopping');
  await running.close();
  return 0;
}
