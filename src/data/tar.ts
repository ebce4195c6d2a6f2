// Reading chosen members out of a tar stream (POSIX ustar and old GNU headers), for data sets
// published as .tgz archives.

/** Collects the members named in `wanted` (regular files); others are skipped unread. */
export async function extractTarMembers(
  stream: AsyncIterable<Buffer>,
  wanted: ReadonlySet<string>,
): Promise<Map<string, Buffer>> {
  const reader = new ByteReader(stream[Symbol.asyncIterator]());
  const found = new Map<string, Buffer>();
  for (;;) {
    const header = await reader.read(512);
    if (header === null || header.every((b) => b === 0)) return found;
    const name = field(header, 0, 100);
    const prefix = header.subarray(257, 263).toString('latin1').startsWith('ustar') ? field(header, 345, 155) : '';
    const path = prefix === '' ? name : `${prefix}/${name}`;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    const padded = Math.ceil(size / 512) * 512;
    if ((type === '0' || type === '\0') && wanted.has(path)) {
      const data = await reader.read(padded);
      if (data === null) throw new Error(`tar archive ends inside ${path}`);
      found.set(path, data.subarray(0, size));
      if (found.size === wanted.size) return found;
    } else if (!(await reader.skip(padded))) throw new Error(`tar archive ends inside ${path}`);
  }
}

function field(header: Buffer, at: number, length: number): string {
  const bytes = header.subarray(at, at + length);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? length : end).toString('utf8');
}

class ByteReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Exactly n bytes, or null at the end of the stream. */
  async read(n: number): Promise<Buffer | null> {
    const parts = [this.pending];
    let have = this.pending.length;
    while (have < n) {
      const next = await this.source.next();
      if (next.done === true) return null;
      parts.push(next.value);
      have += next.value.length;
    }
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.pending = all.subarray(n);
    return all.subarray(0, n);
  }

  async skip(n: number): Promise<boolean> {
    while (this.pending.length < n) {
      n -= this.pending.length;
      const next = await this.source.next();
      if (next.done === true) return false;
      this.pending = next.value;
    }
    this.pending = this.pending.subarray(n);
    return true;
  }
}
