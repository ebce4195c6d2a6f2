// How the `transformer` command reports a failure: a user's mistake in one line (exit 2 for a wrong
// command line, 1 for bad files or settings), a bug with its stack. TRANSFORMER_DEBUG=1 shows the
// stack for every failure, for whoever is chasing one.

import { isInputError } from '../errors.js';
import { quote } from '../quote.js';
import { UsageError } from './flags.js';

/** The operating system's errors that describe the user's files, not our code. */
const SYSTEM_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'is a folder, a file was expected',
  ENOTDIR: 'a path component is not a folder',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder is not empty',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EPIPE: 'the reader of the output went away',
  EIO: 'input/output error',
};

interface SystemError extends Error {
  code?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
}

function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || String((error as SystemError)?.code).startsWith('ERR_PARSE_ARGS');
}

/** One line for a system error: the path (or address) and the problem, in words. */
export function systemErrorLine(error: SystemError): string | null {
  const problem = error.code === undefined ? undefined : SYSTEM_PROBLEMS[error.code];
  if (problem === undefined) return null;
  const where = error.path ?? (error.address !== undefined ? `${error.address}:${error.port ?? ''}` : undefined);
  return where === undefined ? `${problem} (${error.code})` : `${where}: ${problem} (${error.code})`;
}

/**
 * A usage error in one line: node:util's parseArgs errors reworded (they are long and name no help),
 * and of a message followed by the command's usage, the message alone and where the usage is.
 */
export function usageLine(name: string, error: Error & { code?: string }): string {
  const help = `transformer ${name} --help`;
  const given = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${quote(given)}; ${help} lists the flags`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quote(given)}; ${help} lists the flags`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = given.replace(/ <value>$/, '');
      if (/argument missing/.test(error.message)) return `${flag} needs a value`;
      if (/ambiguous/.test(error.message))
        return `${flag} needs a value; one that starts with "-" is written ${flag}=-VALUE`;
      return `${flag} takes no value`;
    }
  }
  const [first, ...more] = error.message.split('\n');
  return more.some((l) => l.trim() !== '') ? `${first.trim()} (${help} for the flags)` : first;
}

/**
 * Prints `error` for the command `name` and returns the exit code: 2 for a usage error, 1 for bad
 * input or a system error, and for a bug 1 with its stack.
 */
export function reportError(name: string, error: unknown, debug = process.env.TRANSFORMER_DEBUG === '1'): number {
  const prefix = name === '' ? 'transformer' : `transformer ${name}`;
  const usage = isUsageError(error);
  const line = usage
    ? usageLine(name, error as Error)
    : isInputError(error)
      ? (error as Error).message
      : systemErrorLine(error as SystemError);
  if (line !== null) {
    console.error(`${prefix}: ${line.replace(/\s*\n\s*/g, ' ')}`);
    if (debug && error instanceof Error && error.stack) console.error(error.stack);
    return usage ? 2 : 1;
  }
  console.error(`${prefix}: internal error (a bug; please report it with the command that caused it):`);
  console.error(error instanceof Error && error.stack ? error.stack : String(error));
  return 1;
}
