// Reading text line by line, checking UTF-8 as it goes: big corpora never sit in memory whole, and a
// bad byte is reported with its file (or "stdin"), line and byte column. Files, standard input and
// whole buffers go through the same check, so they fail the same way.

import { InputError } from '../errors.js';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8 } from './utf8.js';

export class CorpusError extends InputError {
  override name = 'CorpusError';
}

/** What error messages call standard input. */
export const STDIN_NAME = 'stdin';

/**
 * Line `line` (1-based) of `name` without its "\n", as text: a final "\r" is dropped, and on line 1 a
 * byte-order mark. Throws CorpusError naming name:line and the byte column of the first invalid byte.
 */
export function decodeLine(bytes: Uint8Array, name: string, line: number): string {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end--;
  const start = line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start, end);
  if (!isUtf8(body)) throw invalidUtf8(body, name, line, start);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

/** The error for the first invalid byte of `body`, a line's bytes from byte `offset` of the line on. */
function invalidUtf8(body: Uint8Array, name: string, line: number, offset: number): CorpusError {
  const at = firstInvalidUtf8(body);
  const hex = body[at].toString(16).padStart(2, '0');
  return new CorpusError(`${name}:${line}: invalid UTF-8 byte 0x${hex} at byte column ${at + 1 + offset}`);
}

/**
 * Throws the CorpusError of decodeLine for the first invalid byte of a whole text, or returns when
 * the text is valid UTF-8. For readers that split lines their own way (sacreBLEU's, for one).
 */
export function checkUtf8(bytes: Uint8Array, name: string): void {
  if (isUtf8(bytes)) return;
  const at = firstInvalidUtf8(bytes);
  let line = 1;
  let lineStart = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1 && nl < at; nl = bytes.indexOf(0x0a, nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  throw invalidUtf8(bytes.subarray(lineStart), name, line, 0);
}

/**
 * The lines of a UTF-8 text without their line ends ("\n" or "\r\n"). A final line without "\n"
 * counts; a text ending in "\n" has no extra empty line. A byte-order mark opening it is dropped.
 */
export function textLines(bytes: Uint8Array, name: string): string[] {
  const lines: string[] = [];
  let from = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, from)) {
    lines.push(decodeLine(bytes.subarray(from, nl), name, lines.length + 1));
    from = nl + 1;
  }
  if (from < bytes.length) lines.push(decodeLine(bytes.subarray(from), name, lines.length + 1));
  return lines;
}

/** The lines of a stream of bytes, as textLines reads them, as they arrive. */
export async function* streamLines(stream: AsyncIterable<Uint8Array | string>, name: string): AsyncGenerator<string> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 0;
  for await (const piece of stream) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece);
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let from = 0;
    for (let nl = data.indexOf(0x0a, from); nl !== -1; nl = data.indexOf(0x0a, from)) {
      yield decodeLine(data.subarray(from, nl), name, ++line);
      from = nl + 1;
    }
    carry = Buffer.from(data.subarray(from)); // a copy, so the stream's chunk can be freed
  }
  if (carry.length > 0) yield decodeLine(carry, name, ++line);
}

/** The lines of a UTF-8 text file, streamed (see textLines); a folder or missing file names `path`. */
export async function* readLines(path: string): AsyncGenerator<string> {
  try {
    yield* streamLines(createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>, path);
  } catch (error) {
    // A read of a folder fails with EISDIR but no path; the message should still name the file.
    const e = error as NodeJS.ErrnoException;
    if (typeof e?.code === 'string' && e.path === undefined) e.path = path;
    throw error;
  }
}

/** Every line of standard input (or another stream), read to its end. */
export async function allLines(stream: AsyncIterable<Uint8Array | string>, name = STDIN_NAME): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of streamLines(stream, name)) lines.push(line);
  return lines;
}
