// pipeline(task, folder) over any FolderSource: opens the folder (ours, a Marian folder, or a character
// language model that `transformer lm` wrote) and hands it to createPipeline. Node passes the folder on
// disk (node.ts), a page fetched or picked files (browser.ts). Nothing here needs Node.

import { CharacterVocabulary, VOCABULARY_FILE } from '../data/characters.js';
import { decodeText, type FolderSource } from '../io/folder-source.js';
import { CONFIG_FILE } from '../io/model-files.js';
import { openModelFolderFrom } from '../io/open-from-source.js';
import { createPipeline, type Task, type TaskPipelines } from './create.js';
import { PipelineError } from './options.js';
import { QUANTIZATIONS, type Quantization } from '../nn/int8.js';
import { quote } from '../quote.js';
import type { PipelineSource, TextCodec } from './source.js';

/** Options of pipeline() itself (those of each call are the task's). */
export interface PipelineOptions {
  /** Called once the folder is read, with its name. */
  onLoad?: (folder: string) => void;
  /** 'int8': the weights of linear layers and embeddings quantized per row to int8 once, at load (docs/int8.md). */
  quantize?: Quantization;
}

/** A pipeline over the model folder that `source` reads. */
export async function pipelineFrom<K extends Task>(
  task: K,
  source: FolderSource,
  options: PipelineOptions = {},
): Promise<TaskPipelines[K]> {
  const quantize = options.quantize ?? 'none';
  if (!QUANTIZATIONS.includes(quantize))
    throw new PipelineError(`quantize must be one of ${QUANTIZATIONS.join(', ')}, got ${quote(quantize)}`);
  const opened = await openModelFolderFrom(source, { quantize });
  const name = source.folder;
  const pipelineSource: PipelineSource = {
    ...opened,
    name,
    labels: labelsOf(await readIfPresent(source, CONFIG_FILE)),
  };
  if (opened.tokenizer === null) {
    const vocabulary = await readIfPresent(source, VOCABULARY_FILE);
    if (vocabulary !== null)
      pipelineSource.tokenizer = characterCodec(
        CharacterVocabulary.fromJson(vocabulary, source.pathOf(VOCABULARY_FILE)),
        source.pathOf(VOCABULARY_FILE),
      );
  }
  options.onLoad?.(name);
  return createPipeline(task, pipelineSource);
}

async function readIfPresent(source: FolderSource, file: string): Promise<string | null> {
  try {
    const bytes = await source.read(file);
    return bytes === null ? null : decodeText(bytes);
  } catch {
    return null; // the opener has already read the folder and would have said what is wrong
  }
}

/** A character vocabulary as a tokenizer (no EOS: a character model continues text). */
function characterCodec(vocabulary: CharacterVocabulary, path: string): TextCodec {
  const encode = (text: string) => {
    try {
      return vocabulary.encode(text);
    } catch (error) {
      // A character the model never saw: say which, and whose vocabulary lacks it.
      throw new PipelineError(`${path}: ${(error as Error).message}`);
    }
  };
  return { encode, decode: (ids) => vocabulary.decode(ids) };
}

/** Hugging Face's config.json id2label ({"0": "NEGATIVE", ...}), when the folder's config has it. */
function labelsOf(configText: string | null): string[] | undefined {
  if (configText === null) return undefined;
  try {
    const map = (JSON.parse(configText) as { id2label?: unknown }).id2label;
    if (map === null || typeof map !== 'object') return undefined;
    const labels: string[] = [];
    for (const [id, name] of Object.entries(map)) if (/^\d+$/.test(id)) labels[Number(id)] = String(name);
    return labels;
  } catch {
    return undefined;
  }
}
