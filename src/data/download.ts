// Downloading one file: streamed to a temporary file beside the target, gunzipped on the way when
// the source is .gz, hashed (SHA-256 of what is written) and renamed into place only when the hash
// matches. A failed or interrupted download never leaves a file under the final name.

import { InputError } from '../errors.js';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export class DownloadError extends InputError {
  override name = 'DownloadError';
}

export type DownloadEvent =
  | { type: 'start'; url: string; total: number | null }
  | { type: 'progress'; url: string; received: number; total: number | null }
  | { type: 'done'; url: string; received: number };

export interface FetchOptions {
  gunzip?: boolean;
  onEvent?: (event: DownloadEvent) => void;
}

/** A temporary name beside `path`, unique to this process and call. */
export function temporaryPath(path: string): string {
  return `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.part`;
}

/**
 * Streams `url` into `path` (creating its folder) and returns the SHA-256 (hex) of the bytes
 * written. Throws DownloadError with one line naming the URL and what went wrong; on any failure
 * the partial file is removed.
 */
export async function fetchToFile(url: string, path: string, options: FetchOptions = {}): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DownloadError(`cannot download ${url}: ${networkReason(error)}`);
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new DownloadError(
      `cannot download ${url}: the server answered ${response.status} ${response.statusText}`.trimEnd(),
    );
  }
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  options.onEvent?.({ type: 'start', url, total });
  let received = 0;
  const progress = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      options.onEvent?.({ type: 'progress', url, received, total });
      callback(null, chunk);
    },
  });
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  await mkdir(dirname(path), { recursive: true });
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  try {
    if (options.gunzip === true) await pipeline(body, progress, createGunzip(), hashing, createWriteStream(path));
    else await pipeline(body, progress, hashing, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    const reason = (error as { code?: string }).code?.startsWith('Z_') ? 'not valid gzip data' : networkReason(error);
    throw new DownloadError(`cannot download ${url}: ${reason}`);
  }
  options.onEvent?.({ type: 'done', url, received });
  return hash.digest('hex');
}

/** Moves a finished temporary file into place, or removes it when its hash is wrong. */
export async function commitFile(
  temporary: string,
  path: string,
  actual: string,
  expected: string,
  url: string,
): Promise<void> {
  if (actual !== expected) {
    await rm(temporary, { force: true });
    throw new DownloadError(`checksum mismatch for ${path} (from ${url}): expected SHA-256 ${expected}, got ${actual}`);
  }
  await rename(temporary, path);
}

function networkReason(error: unknown): string {
  const cause =
    (error as { cause?: { code?: string; message?: string } }).cause ?? (error as { code?: string; message?: string });
  switch (cause.code) {
    case 'ECONNREFUSED':
      return 'connection refused (offline, or the server is down?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found (offline?)';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out (offline?)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection lost during the download';
    default:
      return cause.message ?? String(error);
  }
}
