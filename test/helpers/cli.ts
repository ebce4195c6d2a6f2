// Runs the real `transformer` command (bin/transformer.js) in its own process, as a user would, for the
// CLI tests: the exit code and everything written to standard output and standard error.

import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** This file runs from dist/test/helpers/. */
export const bin = fileURLToPath(new URL('../../../bin/transformer.js', import.meta.url));

export interface CliOptions {
  /** Piped to standard input (default: an empty input). */
  input?: string | Buffer;
  /** An open file descriptor to give as standard input instead, as a shell's `< FILE` does. */
  stdinFd?: number;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

export interface CliResult {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  out: string;
  err: string;
}

const environment = (options: CliOptions) => ({ ...process.env, ...options.env });

/** `transformer ...args`, waiting for it to exit. */
export function runCli(args: readonly string[], options: CliOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    input: options.stdinFd === undefined ? options.input : undefined,
    stdio: [options.stdinFd ?? 'pipe', 'pipe', 'pipe'],
    env: environment(options),
    cwd: options.cwd,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** `transformer ...args` without blocking this process, so that several can run at once. */
export function runCliAsync(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { encoding: 'utf8', env: environment(options), cwd: options.cwd },
      (error, out, err) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, out, err }),
    );
    child.stdin!.end(options.input ?? '');
  });
}
