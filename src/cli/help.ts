// `transformer X --help`: every sub-command's usage and flags, answered here before the command is
// loaded, so that help works the same everywhere, costs nothing, and never trips over a bad setting.

import { COMMAND_HELP, type CommandHelp, type FlagHelp } from './help-commands.js';

export type { CommandHelp } from './help-commands.js';

const ENVIRONMENT: [string, string][] = [
  ['TRANSFORMER_BACKEND', 'js or native: the kernels (default native when its addon is built, else js)'],
  ['TRANSFORMER_THREADS', 'threads of the native kernels, at most the cores (default: all cores)'],
  ['TRANSFORMER_DATA_DIR', 'where data sets are kept (default ~/.cache/transformer-ts/data)'],
  ['TRANSFORMER_DATA_URL', 'a mirror to download data sets from'],
  ['TRANSFORMER_DEBUG', '1: print the stack of every error'],
];

/** The commands in the order `transformer --help` lists them, with their one-line summaries. */
export function commandList(): [string, string][] {
  return Object.entries(COMMAND_HELP).map(([name, help]) => [name, help.about]);
}

/** The top-level help: the commands, then the environment variables. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMAND_HELP).map((n) => n.length)) + 2;
  return [
    'usage: transformer <command> [flags]      (transformer <command> --help for its flags)',
    '',
    'commands:',
    ...commandList().map(([name, about]) => `  ${name.padEnd(width)} ${about}`),
    '',
    'environment:',
    ...ENVIRONMENT.map(([name, about]) => `  ${name.padEnd(22)} ${about}`),
    '',
    'transformer --version prints the version.',
  ].join('\n');
}

function flagLines(flags: readonly FlagHelp[]): string[] {
  const label = (f: FlagHelp) =>
    `${f.short === undefined ? '' : `${f.short}, `}--${f.name}${f.value ? ` ${f.value}` : ''}`;
  const width = Math.min(28, Math.max(...flags.map((f) => label(f).length)) + 2);
  return flags.map((f) => {
    const about = f.default === undefined ? f.about : `${f.about} (default: ${f.default})`;
    const name = label(f);
    return name.length < width ? `  ${name.padEnd(width)} ${about}` : `  ${name}\n  ${''.padEnd(width)} ${about}`;
  });
}

function render(prefix: string, help: CommandHelp): string[] {
  const lines = help.usage.map((u, i) => `${i === 0 ? 'usage:' : '      '} transformer ${prefix} ${u}`.trimEnd());
  lines.push('', help.about);
  if (help.flags !== undefined && help.flags.length > 0) lines.push('', 'flags:', ...flagLines(help.flags));
  if (help.notes !== undefined) lines.push('', ...help.notes);
  if (help.sub !== undefined) {
    for (const [name, part] of Object.entries(help.sub)) lines.push('', ...render(`${prefix} ${name}`, part));
  }
  return lines;
}

/**
 * The help of `command` (and of one of its sub-commands, when `sub` names one), or null for an unknown
 * command.
 */
export function commandHelp(command: string, sub?: string): string | null {
  const help = COMMAND_HELP[command];
  if (help === undefined) return null;
  const part = sub === undefined ? undefined : help.sub?.[sub];
  return (part === undefined ? render(command, help) : render(`${command} ${sub}`, part)).join('\n');
}

/** True when argv asks for help: -h or --help before a literal "--". */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}
