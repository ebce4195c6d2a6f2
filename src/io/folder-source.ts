// Where a model folder's files come from: a folder on disk (Node), a base URL, files a user picked, or
// bytes in memory. The openers read files by name through this one interface, so that every source of
// a folder goes through the same parsers and gives the same results and errors (docs/browser.md).

/** A model folder's files, read by name. */
export interface FolderSource {
  /** The folder as messages name it: a path, a URL, the name of the folder the user picked. */
  readonly folder: string;
  /** How messages name the folder's file `name`. */
  pathOf(name: string): string;
  /**
   * The bytes of the file `name`, or null when the folder has no such file. A file that exists but
   * cannot be read is a FolderReadError saying why.
   */
  read(name: string): Promise<Uint8Array | null>;
}

/** A file of a folder source that exists but cannot be read; `reason` is short (an error code, an HTTP status). */
export class FolderReadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The reason given for a file the folder lacks, whatever the source: the name Node gives it. */
export const ABSENT = 'ENOENT';

/** `folder/name`, with one slash between them, for sources whose folder is not a path of this machine. */
export function joinName(folder: string, name: string): string {
  return folder.endsWith('/') ? folder + name : `${folder}/${name}`;
}

// UTF-8 as Node's readFileSync(path, 'utf8') decodes it: invalid bytes become U+FFFD and a leading
// byte-order mark stays (JSON.parse then refuses it, as it does on disk).
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** The file's bytes; absent or unreadable, `fail(reason)` is thrown. */
export async function readRequired(
  source: FolderSource,
  name: string,
  fail: (reason: string) => Error,
): Promise<Uint8Array> {
  const bytes = await readOptional(source, name, fail);
  if (bytes === null) throw fail(ABSENT);
  return bytes;
}

/** The file's bytes, or null when absent; unreadable, `fail(reason)` is thrown. */
export async function readOptional(
  source: FolderSource,
  name: string,
  fail: (reason: string) => Error,
): Promise<Uint8Array | null> {
  try {
    return await source.read(name);
  } catch (error) {
    if (error instanceof FolderReadError) throw fail(error.reason);
    throw error;
  }
}
