// Helpers the comparison scripts share: flags, paths in the repository, and running a benchmark
// command whose last output line is one JSON object.
import { spawnSync } from 'node:child_process';
import { URL, fileURLToPath } from 'node:url';

const args = process.argv.slice(2);

/** The value after `--name`, or the fallback. */
export function option(name: string): string | undefined;
export function option(name: string, fallback: string): string;
export function option(name: string, fallback?: string): string | undefined {
  return args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
}

/** An absolute path inside the repository (this file runs from dist/bench/). */
export const root = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** Runs a command and returns the JSON object on the last line of its output, of the shape the caller names (exits on failure). */
export function lastJson<T>(command: string, commandArgs: string[]): T {
  const result = spawnSync(command, commandArgs, { encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`${command} ${commandArgs.join(' ')} failed:\n${result.stderr}`);
    process.exit(1);
  }
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as T;
}
