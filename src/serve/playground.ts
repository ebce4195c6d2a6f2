// `transformer serve --playground`: the playground page (web/playground/) and the files it loads, laid
// out as in the package (web/, dist/web/playground/, dist/src/, build-wasm/, fflate's browser build),
// with the headers that make the page cross-origin isolated (COOP same-origin, COEP require-corp), so
// that its worker gets a shared memory and the wasm backend's threads. No API: the page trains in the tab.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readStaticFile } from './static-files.js';
import { hostRule, SECURITY_HEADERS } from './security.js';

/** The package root: this file is dist/src/serve/playground.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FFLATE = join(dirname(createRequire(import.meta.url).resolve('fflate/package.json')), 'esm');

/** URL prefixes and their folders; `deep` mounts may name files in subfolders. */
const MOUNTS: ReadonlyArray<{ prefix: string; dir: string; deep: boolean }> = [
  { prefix: '/web/playground/', dir: join(ROOT, 'web', 'playground'), deep: false },
  { prefix: '/web/', dir: join(ROOT, 'web'), deep: false },
  { prefix: '/dist/web/playground/', dir: join(ROOT, 'dist', 'web', 'playground'), deep: false },
  { prefix: '/dist/src/', dir: join(ROOT, 'dist', 'src'), deep: true },
  { prefix: '/build-wasm/', dir: join(ROOT, 'build-wasm'), deep: false },
  { prefix: '/node_modules/fflate/esm/', dir: FFLATE, deep: false },
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
};

/** The file a URL path names, or null: known folders only, plain names, no "..", no hidden files. */
export function playgroundFilePath(urlPath: string): string | null {
  if (urlPath === '/web/playground/') urlPath += 'index.html';
  for (const { prefix, dir, deep } of MOUNTS) {
    if (!urlPath.startsWith(prefix)) continue;
    const parts = urlPath.slice(prefix.length).split('/');
    if (!deep && parts.length > 1) return null;
    if (!parts.every((p) => /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(p) && !p.includes('..'))) return null;
    return extname(urlPath) in TYPES ? join(dir, ...parts) : null;
  }
  return null;
}

/** The page's policy: its own scripts, its inline import map (by hash), wasm, and model folders fetched from https. */
function playgroundHeaders(): Record<string, string> {
  const html = readFileSync(join(ROOT, 'web', 'playground', 'index.html'), 'utf8');
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap).digest('base64');
  const policy = SECURITY_HEADERS['Content-Security-Policy']
    .replace("script-src 'self'", `script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}'`)
    .replace("connect-src 'self'", "connect-src 'self' https:")
    .replace("img-src 'self'", "img-src 'self' blob:");
  return {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': policy,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  };
}

export interface PlaygroundServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startPlaygroundServer(options: {
  host: string;
  port: number;
  allowedHosts?: readonly string[];
  log?: (line: string) => void;
}): Promise<PlaygroundServer> {
  const headers = playgroundHeaders();
  let knownHost: (host: string | undefined) => boolean = () => false;
  const server = createServer((req, res) => {
    res.on('finish', () => options.log?.(`${req.method} ${req.url} ${res.statusCode}`));
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refuse = (status: number, message: string) =>
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
    if (!knownHost(req.headers.host)) return refuse(421, 'this server answers only to its own address');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, `${path} takes GET`);
    if (path === '/' || path === '/web/playground') {
      res.writeHead(302, { Location: '/web/playground/' }).end();
      return;
    }
    const file = playgroundFilePath(path);
    void (file === null ? Promise.resolve(null) : readStaticFile(file)).then((found) => {
      if (found === null) return refuse(404, `no such file: ${path}`);
      const type = TYPES[extname(file!)];
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': found.body.length, 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : found.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  knownHost = hostRule({
    address: address.address,
    port: address.port,
    host: options.host,
    allowedHosts: options.allowedHosts,
  });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}/web/playground/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
