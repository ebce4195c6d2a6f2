// The public data sets `transformer data get` knows, and fetching them into a cache folder.
// Each file is checked against the SHA-256 of its final, decompressed content: a file already in
// the cache with the right hash is not fetched again.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { commitFile, DownloadError, fetchToFile, temporaryPath, type DownloadEvent } from './download.js';
import { sgmToText } from './sgm.js';
import { extractTarMembers } from './tar.js';

export interface DataFile {
  /** Name in the data set's folder. */
  name: string;
  /** Path under the data set's base URL; gunzipped when it ends in .gz. */
  remote: string;
  /** For archives (.tgz): the SGML member holding this file, converted to text as sacreBLEU does. */
  member?: string;
  sha256: string;
}

export interface Dataset {
  name: string;
  baseUrl: string;
  files: DataFile[];
}

const MULTI30K = 'https://raw.githubusercontent.com/multi30k/dataset/master/data/task1/raw';
const multi30k = (name: string, sha256: string): DataFile => ({ name, remote: `${name}.gz`, sha256 });

export const DATASETS: Record<string, Dataset> = {
  multi30k: {
    name: 'multi30k',
    baseUrl: MULTI30K,
    files: [
      multi30k('train.de', '2c2b73fd2b548fbcde3a875e0a78d6ee94d498bfdee6bd3eae3945779e9ddf72'),
      multi30k('train.en', '460a15fbd157e34a7a9957ee388c1ca247fe47af3ef25fb50442af6c274e0fc6'),
      multi30k('val.de', '660e09eb7e1da2f856ea13ee5ad3cf6d36b3d5b0b733c857e94c5747a3dfc660'),
      multi30k('val.en', '1f2a23d992769b5b3d209b0a10dd0b77c08cceb1f20dfb97ed0aafa49d107227'),
      multi30k('test_2016_flickr.de', '4be6b5b3236b79c25475c6bb829800a7ce559e9ba7a1f6c2394fe4d40be46d16'),
      multi30k('test_2016_flickr.en', '399a4382932c1aadd3ceb9bef1008d388a64c76d4ae4e9d4728c6f4301cac182'),
    ],
  },
  // The full 3,003 segments (sacreBLEU's wmt14/full), not the filtered 2,737.
  newstest2014: {
    name: 'newstest2014',
    baseUrl: 'https://www.statmt.org/wmt14',
    files: [
      {
        name: 'newstest2014-full.de',
        remote: 'test-full.tgz',
        member: 'test-full/newstest2014-deen-src.de.sgm',
        sha256: 'ae5d110486bc33d7175e9e28c7d0051eb3e5fcd2166dd93371089852c091a20e',
      },
      {
        name: 'newstest2014-full.en',
        remote: 'test-full.tgz',
        member: 'test-full/newstest2014-deen-ref.en.sgm',
        sha256: '7294bccf2879a97b3706b95c9595f1459617a8ee7130d5d8581c910e69736971',
      },
    ],
  },
};

export interface GetOptions {
  /** The cache root; the data set goes to dir/<name>/. */
  dir: string;
  /** Replaces the data set's base URL (mirrors, tests). */
  baseUrl?: string;
  onEvent?: (event: DownloadEvent | { type: 'cached'; path: string }) => void;
}

/** Makes sure every file of the data set is in the cache with the right hash; returns their paths. */
export async function getDataset(dataset: Dataset, options: GetOptions): Promise<string[]> {
  const folder = join(options.dir, dataset.name);
  await mkdir(folder, { recursive: true });
  const base = (options.baseUrl ?? dataset.baseUrl).replace(/\/+$/, '');
  const missing: DataFile[] = [];
  for (const file of dataset.files) {
    const path = join(folder, file.name);
    if ((await sha256OfFile(path)) === file.sha256) options.onEvent?.({ type: 'cached', path });
    else missing.push(file);
  }
  for (const remote of new Set(missing.map((f) => f.remote))) {
    const files = missing.filter((f) => f.remote === remote);
    const url = `${base}/${remote}`;
    if (files[0].member === undefined) {
      for (const file of files) {
        const path = join(folder, file.name);
        const temporary = temporaryPath(path);
        const actual = await fetchToFile(url, temporary, { gunzip: remote.endsWith('.gz'), onEvent: options.onEvent });
        await commitFile(temporary, path, actual, file.sha256, url);
      }
    } else await getFromArchive(url, folder, files, options);
  }
  return dataset.files.map((f) => join(folder, f.name));
}

async function getFromArchive(url: string, folder: string, files: DataFile[], options: GetOptions): Promise<void> {
  const archive = temporaryPath(join(folder, 'archive'));
  try {
    await fetchToFile(url, archive, { onEvent: options.onEvent });
    const members = await readArchive(url, archive, new Set(files.map((f) => f.member ?? '')));
    for (const file of files) {
      const sgm = members.get(file.member ?? '');
      if (sgm === undefined) throw new DownloadError(`${url} has no member ${file.member}`);
      const text = sgmToText(sgm.toString('utf8'));
      const path = join(folder, file.name);
      const temporary = temporaryPath(path);
      await writeFile(temporary, text);
      await commitFile(temporary, path, createHash('sha256').update(text).digest('hex'), file.sha256, url);
    }
  } finally {
    await rm(archive, { force: true });
  }
}

/** The wanted members of a downloaded .tgz; what the server sent being no such archive is a DownloadError. */
async function readArchive(url: string, archive: string, wanted: ReadonlySet<string>): Promise<Map<string, Buffer>> {
  try {
    return await extractTarMembers(createReadStream(archive).pipe(createGunzip()), wanted);
  } catch (error) {
    const { code, syscall } = error as { code?: string; syscall?: string };
    // The local disk's own faults (ENOSPC, EIO) are reported as such by the caller, not blamed on the server.
    if (syscall !== undefined) throw error;
    const reason = code?.startsWith('Z_') ? 'not valid gzip data' : (error as Error).message;
    throw new DownloadError(`${url} is not a valid .tgz archive: ${reason}`);
  }
}

/** SHA-256 (hex) of a file, or null when there is none. */
export async function sha256OfFile(path: string): Promise<string | null> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
  return hash.digest('hex');
}
