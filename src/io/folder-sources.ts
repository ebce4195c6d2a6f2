// The FolderSources a page opens model folders from: a base URL (fetch), files the user picked (an
// <input type="file" webkitdirectory> or File objects), and bytes in memory. Nothing here needs Node.

import { FolderReadError, joinName, type FolderSource } from './folder-source.js';

/** How fetchedFolder fetches: the request's init (headers, credentials) and the fetch function to use. */
export interface FetchedFolderOptions {
  /** Passed to every request (credentials, headers, an AbortSignal). */
  init?: RequestInit;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * The folder at `url` (absolute, or relative to the page): each file is fetched from url/name. A 404 or
 * 410 is a file the folder lacks; any other failed request is an error naming the URL and the status.
 */
export function fetchedFolder(url: string | URL, options: FetchedFolderOptions = {}): FolderSource {
  const base = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const get = options.fetch ?? globalThis.fetch.bind(globalThis);
  const pathOf = (name: string) => new URL(name, base).href;
  return {
    folder: base.href,
    pathOf,
    async read(name) {
      let response: Response;
      try {
        response = await get(pathOf(name), options.init);
      } catch (error) {
        throw new FolderReadError(`request failed: ${(error as Error).message}`);
      }
      if (response.status === 404 || response.status === 410) return null;
      if (!response.ok) throw new FolderReadError(`HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

/**
 * Files a user picked: the FileList of an <input type="file" webkitdirectory> (the picked folder's own
 * files; those of its subfolders are ignored), or any File objects, found by name.
 */
export function pickedFolder(files: Iterable<File> | ArrayLike<File>): FolderSource {
  const byName = new Map<string, File>();
  let folder: string | null = null;
  for (const file of Array.from(files)) {
    // webkitRelativePath is "picked-folder/name" for a folder's files, "" for files picked one by one.
    const parts = (file.webkitRelativePath ?? '').split('/');
    if (parts.length > 2) continue;
    if (parts.length === 2) folder = parts[0];
    if (!byName.has(file.name)) byName.set(file.name, file);
  }
  return {
    folder: folder ?? 'the picked folder',
    // Files picked one by one are named by their names alone.
    pathOf: (name) => (folder === null ? name : joinName(folder, name)),
    async read(name) {
      const file = byName.get(name);
      if (file === undefined) return null;
      try {
        return new Uint8Array(await file.arrayBuffer());
      } catch (error) {
        throw new FolderReadError((error as Error).name || (error as Error).message);
      }
    },
  };
}

/**
 * Files in memory by name (text is stored as UTF-8). `folder` names the folder in messages (its files
 * as folder/name); without it, files are named by their names alone.
 */
export function memoryFolder(files: ReadonlyMap<string, Uint8Array | string>, folder?: string): FolderSource {
  return {
    folder: folder ?? 'the folder in memory',
    pathOf: (name) => (folder === undefined ? name : joinName(folder, name)),
    async read(name) {
      const content = files.get(name);
      if (content === undefined) return null;
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
  };
}
