// The playground's download: the model folder packed in memory (src/io/model-folder-files.ts) and
// zipped (web/playground/folders.ts) is, once unpacked, the folder saveModel writes, byte for byte,
// and the CLI's loader opens it and translates as the page's model does.

import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';

import { loadModel, loadTokenizer, saveModel } from '../../src/io/model-folder.js';
import { modelFolderFiles } from '../../src/io/model-folder-files.js';
import type { EncoderDecoder } from '../../src/model/encoder-decoder.js';
import { translateLines } from '../../src/decode/translate-lines.js';
import { DOWNLOAD_FOLDER, zipFolder } from '../../web/playground/folders.js';
import { TrainingSession, defaultTraining } from '../../web/playground/session.js';
import { makePlaygroundTask } from '../../web/playground/tasks.js';

const task = makePlaygroundTask({ kind: 'reverse', seed: 3, train: 200, valid: 4 });
const session = new TrainingSession(task, { ...defaultTraining, size: 'tiny', vocabSize: 300, maxTokens: 400 });
for (let i = 0; i < 3; i++) session.update();

test('the zipped folder unpacks to what saveModel writes, and the CLI loader translates with it alike', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'playground-download-'));
  try {
    const zip = zipFolder(modelFolderFiles(session.model, session.tokenizer, { step: '3' }));
    for (const [name, bytes] of Object.entries(unzipSync(zip))) {
      assert.ok(name.startsWith(`${DOWNLOAD_FOLDER}/`), name);
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const unpacked = join(dir, DOWNLOAD_FOLDER);
    const saved = join(dir, 'saved');
    const tokenizerPath = join(dir, 'tokenizer.json');
    await session.tokenizer.save(tokenizerPath);
    await saveModel(saved, session.model, { tokenizerPath, metadata: { step: '3' } });
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json'])
      assert.deepEqual(readFileSync(join(unpacked, file)), readFileSync(join(saved, file)), file);

    const model = (await loadModel(unpacked)) as EncoderDecoder;
    const tokenizer = (await loadTokenizer(unpacked))!;
    const lines = task.test.source;
    assert.deepEqual(translateLines(model, tokenizer, lines, { beam: 1 }), session.translate(lines, 1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
