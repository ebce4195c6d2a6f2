// Reading a text file line by line as a stream, checking UTF-8 as it goes: big corpora never sit in
// memory whole, and a bad byte is reported with its file, line and byte column.

import { InputError } from '../errors.js';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { firstInvalidUtf8 } from './utf8.js';

export class CorpusError extends InputError {
  override name = 'CorpusError';
}

/**
 * The lines of a UTF-8 text file without their line ends ("\n" or "\r\n"). A final line without
 * "\n" counts; a file ending in "\n" has no extra empty line. A byte-order mark opening the file
 * is dropped. Throws CorpusError naming file:line and the byte column of the first invalid byte.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  let carry: Buffer = Buffer.alloc(0);
  let line = 0;
  const decode = (bytes: Buffer): string => {
    line++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    const body = bytes.subarray(line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0, end);
    if (!isUtf8(body)) {
      const at = firstInvalidUtf8(body);
      const column = at + 1 + (body.byteOffset - bytes.byteOffset);
      const hex = body[at].toString(16).padStart(2, '0');
      throw new CorpusError(`${path}:${line}: invalid UTF-8 byte 0x${hex} at byte column ${column}`);
    }
    return body.toString('utf8');
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let from = 0;
    for (let nl = data.indexOf(0x0a, from); nl !== -1; nl = data.indexOf(0x0a, from)) {
      yield decode(data.subarray(from, nl));
      from = nl + 1;
    }
    carry = Buffer.from(data.subarray(from)); // a copy, so the stream's chunk can be freed
  }
  if (carry.length > 0) yield decode(carry);
}
