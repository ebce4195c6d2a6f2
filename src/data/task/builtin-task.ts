// The built-in translation task written as plain text files like a real corpus: the splits of
// make-task.ts, one sentence per line.

import { join } from 'node:path';
import { makeFolders, writeFileAtomic } from '../../io/atomic.js';

export { defaultTaskOptions, makeTask, type Split, type Task, type TaskOptions } from './make-task.js';
import type { Task } from './make-task.js';

/** Writes <split>.src and <split>.tgt into dir, one sentence per line, each file atomically; returns the paths. */
export async function writeTask(dir: string, task: Task): Promise<string[]> {
  makeFolders(dir);
  const paths: string[] = [];
  for (const name of ['train', 'valid', 'test'] as const) {
    for (const side of ['source', 'target'] as const) {
      const path = join(dir, `${name}.${side === 'source' ? 'src' : 'tgt'}`);
      writeFileAtomic(path, [Buffer.from(task[name][side].map((line) => `${line}\n`).join(''))]);
      paths.push(path);
    }
  }
  return paths;
}
