// The playground's training worker: loads the wasm backend (threads when the page is cross-origin
// isolated; js when wasm does not load, said once), builds the run, trains it with the Runner and
// answers the page's questions (translate, attention, step-through, positional encodings, the model's
// files) between training slices. worker-boot.js, a classic worker script, imports this module: the
// wasm loader needs importScripts, which module workers lack.

import { initWasm, setBackend } from '../../src/backend/registry.js';
import { setWasmThreads, wasmFlavour, wasmThreads } from '../../src/backend/wasm/index.js';
import { modelFolderFiles } from '../../src/io/model-folder-files.js';
import { attentionSnapshot, positionalMatrix, stepThrough } from './insight.js';
import type { BackendReport, FromWorker, Question, StartMessage, ToWorker } from './protocol.js';
import { Runner } from './runner.js';
import { TrainingSession } from './session.js';
import { makePlaygroundTask } from './tasks.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  location: { href: string };
  crossOriginIsolated?: boolean;
  navigator: { hardwareConcurrency?: number };
}
const scope = globalThis as unknown as WorkerScope;
const post = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

let session: TrainingSession | null = null;
let runner: Runner | null = null;
let maxThreads = 1;

async function chooseBackend(wanted: 'wasm' | 'js'): Promise<BackendReport> {
  const isolated = scope.crossOriginIsolated === true;
  const js = (note: string | null): BackendReport => ({
    name: 'js',
    flavour: null,
    threads: 1,
    maxThreads: 1,
    isolated,
    note,
  });
  if (wanted === 'js') return js(null);
  try {
    // This module is dist/web/playground/worker.js; the build is build-wasm/ at the package root.
    await initWasm({ baseUrl: new URL('../../../build-wasm/', import.meta.url) });
    setBackend('wasm');
  } catch (error) {
    return js(`the wasm backend did not load (${(error as Error).message}): training on the js backend, far slower`);
  }
  maxThreads = wasmThreads();
  const note = isolated
    ? null
    : 'the page is not cross-origin isolated (no COOP/COEP headers): wasm runs on one thread';
  return { name: 'wasm', flavour: wasmFlavour(), threads: maxThreads, maxThreads, isolated, note };
}

async function start(message: StartMessage): Promise<void> {
  if (session === null) post({ type: 'backend', report: await chooseBackend(message.backend) });
  runner?.stop();
  const task = makePlaygroundTask(message.task);
  session = new TrainingSession(task, message.training);
  const c = session.config;
  const heldOut = task.test.source.slice(0, 8).map((source, i) => ({ source, target: task.test.target[i] }));
  post({
    type: 'ready',
    report: {
      parameters: session.parameters,
      vocabSize: session.tokenizer.vocabSize,
      config: { ...c, attention: c.attention.kind },
      trainPairs: task.train.source.length,
      heldOut,
    },
  });
  runner = new Runner(session, { ...message.run, watch: task.test.source[0] }, (event) =>
    post({ type: 'event', event }),
  );
  await runner.run();
}

function answer(question: Question): { result: unknown; transfer: Transferable[] } {
  if (question.kind === 'threads') {
    setWasmThreads(Math.max(1, Math.min(question.threads, maxThreads)));
    return { result: wasmThreads(), transfer: [] };
  }
  if (session === null) throw new Error('no model yet: start training first');
  const { model, tokenizer } = session;
  switch (question.kind) {
    case 'translate':
      return { result: session.translate(question.lines, question.beam), transfer: [] };
    case 'attention':
      return { result: attentionSnapshot(model, tokenizer, question.sentence), transfer: [] };
    case 'step-through':
      return { result: stepThrough(model, tokenizer, question.sentence, question.stack, question.head), transfer: [] };
    case 'positional':
      return { result: positionalMatrix(model, question.length), transfer: [] };
    case 'files': {
      const files = [...modelFolderFiles(model, tokenizer, { step: String(session.step) })];
      return { result: files, transfer: files.map(([, bytes]) => bytes.buffer as ArrayBuffer) };
    }
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.type) {
    case 'start':
      start(message).catch((error: Error) => post({ type: 'error', id: null, message: error.message }));
      return;
    case 'pause':
      return runner?.pause();
    case 'resume':
      return runner?.resume();
    case 'stop':
      return runner?.stop();
    case 'ask':
      try {
        const { result, transfer } = answer(message.question);
        post({ type: 'answer', id: message.id, result }, transfer);
      } catch (error) {
        post({ type: 'error', id: message.id, message: (error as Error).message });
      }
  }
};

post({ type: 'loaded' });
