// The main thread's side of the encoder-only / decoder-only worker (kinds-worker.ts): jobs run one at
// a time in arrival order, with a bound on those waiting so that an overloaded server says so at once
// (QueueFullError, answered 503). A generation reports its tokens as they come, and one whose client
// has gone is taken off the queue, or stopped after its current step.

import { Worker } from 'node:worker_threads';

import { InputError } from '../errors.js';
import type { Precision } from '../tensor/precision.js';
import type {
  EncodeJob,
  EncodeResult,
  GenerateJob,
  GenerateResult,
  KindsReply,
  KindsRequest,
} from './kinds-protocol.js';
import type { ModelSummary } from './protocol.js';
import { startModelWorker } from './worker-start.js';
import { QueueFullError } from './translator.js';

export interface ModelRunnerOptions {
  modelDir: string;
  /** Native threads in the worker; null keeps the backend's default. */
  threads?: number | null;
  precision?: Precision;
  /** Jobs waiting at most; more are refused with QueueFullError. */
  maxQueue?: number;
}

interface Pending {
  request: KindsRequest;
  onTokens?: (tokens: number[]) => void;
  resolve: (reply: KindsReply) => void;
  reject: (error: Error) => void;
}

export class ModelRunner {
  readonly model: ModelSummary;
  private readonly queue: Pending[] = [];
  private readonly waiting = new Map<number, Pending>();
  private running: Pending | null = null;
  private nextId = 1;
  private closed = false;
  /** Jobs run, and generations stopped because their client left, for /api/info. */
  readonly stats = { requests: 0, stopped: 0 };

  private constructor(
    private readonly worker: Worker,
    model: ModelSummary,
    private readonly maxQueue: number,
  ) {
    this.model = model;
    worker.on('message', (reply: KindsReply) => this.receive(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the model worker stopped (exit code ${code})`)));
  }

  /** Starts the worker and waits until the model is loaded; a bad model folder rejects with its message. */
  static async start(options: ModelRunnerOptions): Promise<ModelRunner> {
    const { worker, model } = await startModelWorker(
      new URL('./kinds-worker.js', import.meta.url),
      { modelDir: options.modelDir, threads: options.threads ?? null, precision: options.precision ?? 'float32' },
      'model worker',
    );
    return new ModelRunner(worker, model, options.maxQueue ?? 64);
  }

  /** Jobs waiting for the worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Throws QueueFullError at once when the queue is full (so a stream can be refused before it starts). */
  async encode(job: EncodeJob): Promise<EncodeResult> {
    const reply = await this.enqueue({ type: 'encode', id: this.nextId++, ...job });
    if (reply.type !== 'encoded') throw new Error(`unexpected worker reply ${reply.type}`);
    return reply;
  }

  /**
   * Continues a prompt; onTokens receives the tokens as they are chosen. An aborted signal takes the
   * job off the queue, or stops it after its current step (the result then says `stopped`).
   * Throws QueueFullError synchronously when the queue is full.
   */
  generate(job: GenerateJob, onTokens: (tokens: number[]) => void, signal?: AbortSignal): Promise<GenerateResult> {
    const id = this.nextId++;
    const reply = this.enqueue({ type: 'generate', id, ...job }, onTokens);
    signal?.addEventListener('abort', () => this.stop(id), { once: true });
    return reply.then((r) => {
      if (r.type !== 'generated') throw new Error(`unexpected worker reply ${r.type}`);
      return r;
    });
  }

  async positionalEncoding(length: number): Promise<{ length: number; dModel: number; values: Float32Array }> {
    const id = this.nextId++;
    const reply = await new Promise<KindsReply>((resolve, reject) => {
      this.waiting.set(id, { request: { type: 'positional-encoding', id, length }, resolve, reject });
      this.worker.postMessage({ type: 'positional-encoding', id, length } satisfies KindsRequest);
    });
    if (reply.type !== 'positional-encoding') throw new Error(`unexpected worker reply ${reply.type}`);
    return reply;
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('the server is shutting down');
    for (const p of this.queue.splice(0)) p.reject(error);
    await this.worker.terminate();
  }

  private enqueue(request: KindsRequest, onTokens?: (tokens: number[]) => void): Promise<KindsReply> {
    if (this.closed) throw new Error('the model worker is closed');
    if (this.queue.length >= this.maxQueue)
      throw new QueueFullError(`${this.queue.length} requests are waiting; try again shortly`);
    return new Promise((resolve, reject) => {
      this.queue.push({ request, onTokens, resolve, reject });
      this.pump();
    });
  }

  private stop(id: number): void {
    const queued = this.queue.findIndex((p) => p.request.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1)[0].reject(new Error('the client went away'));
      return;
    }
    if (this.running?.request.id === id) this.worker.postMessage({ type: 'stop', id } satisfies KindsRequest);
  }

  private pump(): void {
    if (this.running !== null || this.closed) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.running = next;
    this.waiting.set(next.request.id, next);
    this.stats.requests++;
    this.worker.postMessage(next.request);
  }

  private receive(reply: KindsReply): void {
    if (reply.type === 'ready' || reply.type === 'failed') return;
    const pending = this.waiting.get(reply.id);
    if (pending === undefined) return;
    if (reply.type === 'tokens') {
      pending.onTokens?.(reply.tokens);
      return;
    }
    this.waiting.delete(reply.id);
    if (reply.type === 'generated' && reply.stopped) this.stats.stopped++;
    if (reply.type === 'error') pending.reject(reply.input ? new InputError(reply.message) : new Error(reply.message));
    else pending.resolve(reply);
    if (this.running === pending) {
      this.running = null;
      this.pump();
    }
  }

  /** The worker died: everything in flight and queued fails with the reason. */
  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.waiting.values()) p.reject(error);
    this.waiting.clear();
    for (const p of this.queue.splice(0)) p.reject(error);
  }
}
