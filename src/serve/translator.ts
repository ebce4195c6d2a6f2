// The main thread's side of the translation worker: a queue of requests, gathered into batches while
// the worker is busy (dynamic batching: under load, one decoding pass serves many clients), with a
// bound on the queue so that an overloaded server says so at once instead of timing out.

import { Worker } from 'node:worker_threads';

import type { Precision } from '../tensor/precision.js';
import type { Quantization } from '../nn/int8.js';
import { startModelWorker } from './worker-start.js';
import type { ModelSummary, TranslateJob, TranslationResult, WorkerReply, WorkerRequest } from './protocol.js';

export interface TranslatorOptions {
  modelDir: string;
  /** Native threads in the worker; null keeps the backend's default (TRANSFORMER_THREADS or the cores). */
  threads?: number | null;
  /** The matrix products' number format (float32 by default). */
  precision?: Precision;
  /** 'int8': weights of linear layers and embeddings quantized at load (none by default). */
  quantize?: Quantization;
  /** Sentences decoded together at most. */
  maxBatch?: number;
  /** Sentences waiting at most; more are refused with QueueFullError. */
  maxQueue?: number;
}

export class QueueFullError extends Error {}

interface Pending {
  job: TranslateJob;
  beam: number;
  alpha: number;
  resolve: (result: TranslationResult) => void;
  reject: (error: Error) => void;
}

type Waiter = { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };

export class Translator {
  readonly model: ModelSummary;
  private readonly worker: Worker;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly queue: Pending[] = [];
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private busy = false;
  private closed = false;
  /** Batches run and sentences translated, for /api/info. */
  readonly stats = { batches: 0, sentences: 0 };

  private constructor(worker: Worker, model: ModelSummary, options: TranslatorOptions) {
    this.worker = worker;
    this.model = model;
    this.maxBatch = options.maxBatch ?? 16;
    this.maxQueue = options.maxQueue ?? 64;
    worker.on('message', (reply: WorkerReply) => this.receive(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the translation worker stopped (exit code ${code})`)));
  }

  /** Starts the worker and waits until the model is loaded; a bad model folder rejects with its message. */
  static async start(options: TranslatorOptions): Promise<Translator> {
    const { worker, model } = await startModelWorker(
      new URL('./translator-worker.js', import.meta.url),
      {
        modelDir: options.modelDir,
        threads: options.threads ?? null,
        precision: options.precision ?? 'float32',
        quantize: options.quantize ?? 'none',
      },
      'translation worker',
    );
    return new Translator(worker, model, options);
  }

  /** Sentences waiting for the worker. */
  get queued(): number {
    return this.queue.length;
  }

  translate(job: TranslateJob, beam: number, alpha: number): Promise<TranslationResult> {
    if (this.closed) return Promise.reject(new Error('the translator is closed'));
    if (this.queue.length >= this.maxQueue)
      return Promise.reject(new QueueFullError(`${this.queue.length} sentences are waiting; try again shortly`));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, beam, alpha, resolve, reject });
      this.pump();
    });
  }

  async positionalEncoding(length: number): Promise<{ length: number; dModel: number; values: Float32Array }> {
    const reply = await this.ask({ type: 'positional-encoding', id: this.nextId++, length });
    if (reply.type !== 'positional-encoding') throw new Error(`unexpected worker reply ${reply.type}`);
    return reply;
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('the server is shutting down');
    for (const p of this.queue.splice(0)) p.reject(error);
    await this.worker.terminate();
  }

  /** Sends the next batch when the worker is idle: the oldest request and those waiting with the same search settings. */
  private pump(): void {
    if (this.busy || this.queue.length === 0 || this.closed) return;
    const { beam, alpha } = this.queue[0];
    const batch: Pending[] = [];
    for (let i = 0; i < this.queue.length && batch.length < this.maxBatch;) {
      const p = this.queue[i];
      if (p.beam === beam && p.alpha === alpha) batch.push(...this.queue.splice(i, 1));
      else i++;
    }
    this.busy = true;
    void this.run(batch, beam, alpha);
  }

  private async run(batch: Pending[], beam: number, alpha: number): Promise<void> {
    try {
      const reply = await this.ask({
        type: 'translate',
        id: this.nextId++,
        jobs: batch.map((p) => p.job),
        beam,
        alpha,
      });
      if (reply.type !== 'translated') throw new Error(`unexpected worker reply ${reply.type}`);
      this.stats.batches++;
      this.stats.sentences += batch.length;
      batch.forEach((p, i) => p.resolve(reply.results[i]));
    } catch (error) {
      batch.forEach((p) => p.reject(error as Error));
    } finally {
      this.busy = false;
      this.pump();
    }
  }

  private ask(request: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  private receive(reply: WorkerReply): void {
    if (reply.type === 'ready' || reply.type === 'failed') return;
    const waiter = this.waiting.get(reply.id);
    if (waiter === undefined) return;
    this.waiting.delete(reply.id);
    if (reply.type === 'error') waiter.reject(new Error(reply.message));
    else waiter.resolve(reply);
  }

  /** The worker died: everything in flight and queued fails with the reason. */
  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
    for (const p of this.queue.splice(0)) p.reject(error);
  }
}
