// Command-line flags for the bench scripts: --help prints the script's usage, and a flag the script does not
// know (or a flag without its value) is one line naming it, not a stack trace.

/** Runs `parse` (the script's parseArgs) unless --help was asked for; its error becomes one line and exit 2. */
export function benchArgs<T>(name: string, usage: string, parse: () => T): T {
  if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    return parse();
  } catch (error) {
    console.error(`${name}: ${(error as Error).message.replace(/\.$/, '')}; see --help`);
    process.exit(2);
  }
}
