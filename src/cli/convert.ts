// `transformer convert --model IN --out DIR`: a model folder written again with safetensors weights, in
// its own format. A Marian folder (its weights a pytorch_model.bin, as published opus-mt models have
// them) becomes a Marian folder with model.safetensors, its other files copied as they are; one of ours
// is written as ours (with --quantize int8, as an int8 folder: docs/int8.md). The weights are read and checked as any command reads them, and the folder is
// built beside --out and renamed into place when complete.

import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { writeFolderAtomic } from '../io/atomic.js';
import { saveMarian } from '../io/marian.js';
import { saveModel, TOKENIZER_FILE } from '../io/model-folder.js';
import { openModelFolder } from '../io/open-folder.js';
import { EncoderDecoder } from '../model/index.js';
import { checkNewFolder } from './export-marian.js';
import { UsageError } from './flags.js';
import { parseQuantize } from './quantize-flag.js';

/** Weights in any format: never copied, the converted folder has model.safetensors alone. */
const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack', 'rust_model.ot'];

export async function convert(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { model: { type: 'string' }, out: { type: 'string' }, quantize: { type: 'string' } },
  });
  if (values.model === undefined || values.out === undefined)
    throw new UsageError('--model DIR and --out DIR are required (transformer convert --help)');
  const [input, out] = [values.model, values.out];
  const quantize = parseQuantize(values.quantize);
  checkNewFolder(out);
  const opened = await openModelFolder(input, { tokenizer: false, quantize });
  if (quantize === 'int8' && opened.format !== 'transformer-ts')
    throw new UsageError(`--quantize int8 writes our model folders only; ${input} is a Marian folder`);
  await writeFolderAtomic(out, async (temp) => {
    if (opened.format === 'transformer-ts') {
      const tokenizer = join(input, TOKENIZER_FILE);
      const dtype = quantize === 'int8' ? 'int8' : 'float32';
      await saveModel(temp, opened.model, { dtype, ...(existsSync(tokenizer) ? { tokenizerPath: tokenizer } : {}) });
      return;
    }
    saveMarian(temp, opened.model as EncoderDecoder, { generation: opened.marian });
    // The folder's own config.json, tokenizer and other files, as they are: only the weights change.
    for (const name of readdirSync(input))
      if (!WEIGHT_FILES.includes(name) && statSync(join(input, name)).isFile())
        copyFileSync(join(input, name), join(temp, name));
  });
  console.log(`${out}: ${readdirSync(out).sort().join(', ')}`);
  return 0;
}
