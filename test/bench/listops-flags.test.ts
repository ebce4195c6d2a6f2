// bench/listops.ts's flags: --help lists --jobs, and a --jobs that is not a positive whole number is one line
// and exit 2 before anything is generated or trained.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../bench/listops.js', import.meta.url));

test('bench listops: --help names --jobs; --jobs 0 is refused in one line before any work', () => {
  const help = spawnSync(process.execPath, [script, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--jobs J/);

  const out = mkdtempSync(join(tmpdir(), 'listops-flags-'));
  try {
    for (const jobs of ['0', '1.5', 'two']) {
      const run = spawnSync(process.execPath, [script, '--jobs', jobs, '--out', join(out, 'runs')], {
        encoding: 'utf8',
      });
      assert.equal(run.status, 2, run.stderr);
      assert.equal(
        run.stderr,
        `listops: --jobs must be a whole number of kinds trained at once, 1 or more, got "${jobs}"\n`,
      );
      assert.equal(existsSync(join(out, 'runs')), false, 'nothing is written');
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
