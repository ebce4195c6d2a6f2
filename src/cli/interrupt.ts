// Ctrl-C (SIGINT) and SIGTERM during training: the first asks the trainer to stop after the current update
// and write its checkpoint; a second one exits at once (130 for SIGINT, 143 for SIGTERM, as shells count).

const SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Calls `announce` with the signal's name ("Ctrl-C" or "SIGTERM") and then `stop` on the first SIGINT or
 * SIGTERM; returns the function that removes the handlers.
 */
export function onInterrupt(stop: () => void, announce: (signal: string) => void): () => void {
  const exits = new Map<NodeJS.Signals, () => void>();
  const first = (signal: NodeJS.Signals) => {
    announce(signal === 'SIGINT' ? 'Ctrl-C' : signal);
    for (const [name, code] of Object.entries(SIGNALS) as [NodeJS.Signals, number][]) {
      process.removeListener(name, first);
      const exit = () => process.exit(code);
      exits.set(name, exit);
      process.once(name, exit);
    }
    stop();
  };
  for (const name of Object.keys(SIGNALS) as NodeJS.Signals[]) process.on(name, first);
  return () => {
    for (const name of Object.keys(SIGNALS) as NodeJS.Signals[]) process.removeListener(name, first);
    for (const [name, exit] of exits) process.removeListener(name, exit);
  };
}
