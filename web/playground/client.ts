// The page's side of the worker: starts it, sends commands, and turns questions into promises.

import type { FromWorker, Question, StartMessage } from './protocol.js';

export class TrainingClient {
  private readonly worker: Worker;
  private readonly loaded: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor(onMessage: (message: FromWorker) => void) {
    // A classic worker (see worker-boot.js), beside this page.
    this.worker = new Worker(new URL('../../../web/playground/worker-boot.js', import.meta.url));
    let markLoaded: () => void = () => {};
    this.loaded = new Promise((resolve) => (markLoaded = resolve));
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'loaded') return markLoaded();
      if (message.type === 'answer' || (message.type === 'error' && message.id !== null)) {
        const waiting = this.pending.get(message.id!);
        this.pending.delete(message.id!);
        if (message.type === 'answer') waiting?.resolve(message.result);
        else waiting?.reject(new Error(message.message));
        return;
      }
      onMessage(message);
    };
    this.worker.onerror = (event) => onMessage({ type: 'error', id: null, message: event.message });
  }

  async start(message: StartMessage): Promise<void> {
    await this.loaded;
    this.worker.postMessage(message);
  }

  command(type: 'pause' | 'resume' | 'stop'): void {
    this.worker.postMessage({ type });
  }

  async ask<T>(question: Question): Promise<T> {
    await this.loaded;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ type: 'ask', id, question });
    });
  }
}
