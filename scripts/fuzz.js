// `npm run fuzz`: the readers' fuzz test (test/fuzz/readers.test.ts) at length: FUZZ_RUNS cases per
// reader (20,000 unless set) from FUZZ_SEED (a fresh seed unless set; printed so a failure can be
// replayed), then a tally of what the mutated files led to. Expects `tsc` to have built dist/.
import { spawnSync } from 'node:child_process';

const env = {
  ...process.env,
  FUZZ_RUNS: process.env.FUZZ_RUNS ?? '20000',
  FUZZ_SEED: process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31)),
};
const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', 'dist/test/fuzz/readers.test.js'], {
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);
