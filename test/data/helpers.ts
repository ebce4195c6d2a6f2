// Shared pieces of the data tests: temporary folders, a local HTTP server, tar archives, and the
// real corpora (used when present, never copied; test/helpers/shared-data.ts).

import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'transformer-data-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface LocalServer {
  url: string;
  /** Request paths, in order. */
  requests: string[];
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves `files` (path -> bytes) on 127.0.0.1 at a random port; anything else is a 404. */
export async function serve(t: TestContext, files: Record<string, Buffer>, handler?: Handler): Promise<LocalServer> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (handler !== undefined) return handler(req, res);
    const body = files[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404, 'Not Found').end('no such file');
      return;
    }
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** A URL on which nothing listens: a port that was free a moment ago. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A ustar archive of regular files. */
export function tar(entries: { name: string; data: Buffer }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { name, data } of entries) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257, 'latin1');
    const sum = header.reduce((a, b) => a + b, 0);
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The folder of a real corpus, or null when it is absent and the test was marked skipped. */
export { requireSharedData as sharedData } from '../helpers/shared-data.js';
