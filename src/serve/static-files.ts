// The page's files: the HTML and CSS from web/, the compiled page script from dist/web/, and the
// picture library it imports from dist/src/viz/ (ES modules, no bundler). Only these folders are
// served, only by exact file name, and nothing outside them can be named (no "..", no hidden files).

import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this file is dist/src/serve/static-files.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const MOUNTS: ReadonlyArray<{ prefix: string; dir: string }> = [
  { prefix: '/web/app/', dir: join(ROOT, 'dist', 'web', 'app') },
  { prefix: '/web/', dir: join(ROOT, 'web') },
  { prefix: '/src/viz/', dir: join(ROOT, 'dist', 'src', 'viz') },
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The file for a URL path, or null when the path is not one of the page's files. */
export function staticFilePath(urlPath: string): string | null {
  if (urlPath === '/' || urlPath === '/index.html') return join(ROOT, 'web', 'index.html');
  for (const { prefix, dir } of MOUNTS) {
    if (!urlPath.startsWith(prefix)) continue;
    const name = urlPath.slice(prefix.length);
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name) || name.includes('..')) return null;
    if (!(extname(name) in TYPES)) return null;
    return join(dir, name);
  }
  return null;
}

export async function readStaticFile(path: string): Promise<{ body: Buffer; type: string } | null> {
  try {
    return { body: await readFile(path), type: TYPES[extname(path)] };
  } catch {
    return null;
  }
}
