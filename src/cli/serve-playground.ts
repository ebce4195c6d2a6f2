// `transformer serve --playground`: the playground page on a local port, cross-origin isolated
// (src/serve/playground.ts); Ctrl-C stops it.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { startPlaygroundServer } from '../serve/playground.js';
import { parseHost } from '../serve/security.js';
import { integerFlag, UsageError } from './flags.js';
import { listenError } from './listen-error.js';

/** Flags that belong to serving a model folder, which the playground does not read. */
const MODEL_FLAGS = ['model', 'run', 'threads', 'precision'] as const;

export async function servePlayground(values: {
  host: string;
  port: string;
  'allowed-host': string[];
  log: boolean;
  [flag: string]: unknown;
}): Promise<number> {
  for (const flag of MODEL_FLAGS)
    if (values[flag] !== undefined)
      throw new UsageError(`--${flag} serves a model folder; --playground trains in the page and takes none`);
  for (const name of values['allowed-host'])
    if (parseHost(name) === null)
      throw new UsageError(`--allowed-host must be a host name or address (e.g. mybox.local), got "${name}"`);
  const port = integerFlag('--port', values.port, 0, 65535);
  const wasm = fileURLToPath(new URL('../../../build-wasm/transformer-wasm.wasm', import.meta.url));
  let running;
  try {
    running = await startPlaygroundServer({
      host: values.host,
      port,
      allowedHosts: values['allowed-host'],
      log: values.log ? (line) => console.error(line) : undefined,
    });
  } catch (error) {
    throw listenError(error, values.host, values.port);
  }
  console.log(`serving the playground at ${running.url} (cross-origin isolated: wasm threads)`);
  if (!existsSync(wasm))
    console.log(
      'the wasm backend is not built (npm run build:wasm): the page will train on the js backend, far slower',
    );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('stopping');
  await running.close();
  return 0;
}
