// `transformer demo`: trains a small attention model on a task the project generates (reversing
// sequences of symbols) and reports loss, accuracy and speed as it goes.

import { parseArgs } from 'node:util';
import { backend } from '../backend/registry.js';
import { ReverseTask, defaultReverseConfig } from '../demo/reverse-task.js';
import { integerFlag } from './flags.js';

export async function demo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { steps: { type: 'string', default: '600' }, seed: { type: 'string', default: '1' } },
    strict: true,
  });
  const steps = integerFlag('--steps', values.steps, 1);
  const seed = integerFlag('--seed', values.seed, 0);
  const task = new ReverseTask({ ...defaultReverseConfig, seed });
  const c = task.config;
  console.log(`demo: learn to reverse ${c.length} symbols from a vocabulary of ${c.vocab} with one attention layer`);
  console.log(`model d_model=${c.dModel} h=${c.h} d_ff=${c.dFF}, batch ${c.batch}, backend ${backend().name}`);
  const start = performance.now();
  let result = { loss: 0, accuracy: 0 };
  for (let step = 1; step <= steps; step++) {
    result = task.step();
    if (step % 50 === 0 || step === steps) {
      const seconds = (performance.now() - start) / 1000;
      const tokensPerSecond = (step * c.batch * c.length) / seconds;
      console.log(
        `step ${String(step).padStart(5)}  loss ${result.loss.toFixed(4)}  accuracy ${(100 * result.accuracy).toFixed(1)}%  ${tokensPerSecond.toFixed(0)} tokens/s`,
      );
    }
  }
  console.log(
    result.accuracy > 0.95 ? 'demo: the model reverses sequences.' : 'demo: still learning; try --steps 2000.',
  );
  return 0;
}
