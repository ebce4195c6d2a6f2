// Model folders on the page: opening one (ours or a Hugging Face Marian folder) from the disk or a
// URL and translating with it here, on the page's own thread; and the trained model as a zip of its
// folder (config.json, model.safetensors, tokenizer.json under one folder name), which the CLI opens
// once unpacked: `transformer translate --model playground-model`.

import { zipSync } from 'fflate';
import { translateLinesAsync } from '../../src/decode/async.js';
import { EncoderDecoder } from '../../src/model/encoder-decoder.js';
import type { FolderSource } from '../../src/io/folder-source.js';
import { openModelFolderFrom, type OpenedFolder } from '../../src/io/open-from-source.js';

/** The folder name inside the zip the page downloads. */
export const DOWNLOAD_FOLDER = 'playground-model';

/** A zip holding `folder`/<name> for each file. */
export function zipFolder(files: Iterable<readonly [string, Uint8Array]>, folder = DOWNLOAD_FOLDER): Uint8Array {
  const tree: Record<string, Uint8Array> = {};
  for (const [name, bytes] of files) tree[`${folder}/${name}`] = bytes;
  return zipSync(tree, { level: 6 });
}

export interface OpenFolder {
  opened: OpenedFolder;
  model: EncoderDecoder;
  /** One line for the page: what was opened. */
  summary: string;
}

export async function openFolder(source: FolderSource): Promise<OpenFolder> {
  const opened = await openModelFolderFrom(source);
  if (!(opened.model instanceof EncoderDecoder))
    throw new Error(`${source.folder} holds a ${opened.model.config.kind} model; the playground translates`);
  if (opened.tokenizer === null) throw new Error(`${source.folder} has no tokenizer: it cannot read text`);
  const c = opened.model.config;
  const parameters = opened.model.parameters().reduce((n, p) => n + p.size, 0);
  return {
    opened,
    model: opened.model,
    summary:
      `${opened.format === 'marian' ? 'Marian' : 'transformer-ts'} folder ${source.folder}: ` +
      `${c.encoderLayers}+${c.decoderLayers} layers, d_model ${c.dModel}, ${parameters.toLocaleString('en-US')} parameters`,
  };
}

export function translateWith(folder: OpenFolder, lines: string[], beam: number): Promise<string[]> {
  const { opened, model } = folder;
  return translateLinesAsync(model, opened.tokenizer!, lines, {
    beam,
    maxLenA: opened.search.maxLenA,
    maxLenB: opened.search.maxLenB,
  });
}
