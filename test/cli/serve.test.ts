// `transformer serve`: starts, answers on the port it prints (and to --allowed-host names), stops cleanly
// on SIGINT, and refuses bad flags and folders in one line.

import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cpSync, truncateSync } from 'node:fs';

import { saveModel } from '../../src/io/model-folder.js';
import { makeServeFixture } from '../serve/serve-fixture.js';
import { bin, runCli } from '../helpers/cli.js';

const fixture = await makeServeFixture();
test.after(() => fixture.cleanup());

/** The status of GET url with the given Host header (fetch sets its own). */
function statusWithHost(url: URL, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { Host: host }, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).on('error', reject);
  });
}

test('serve prints its address, translates there, answers to --allowed-host, and stops on SIGINT', async () => {
  const args = ['serve', '--model', fixture.dir, '--port', '0', '--threads', '1', '--allowed-host', 'mybox.test'];
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err += c));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c) => {
      out += c;
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  assert.match(out, /parameters, backend/);
  const reply = await fetch(new URL('/api/translate', url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'zwei hunde spielen', beam: 1 }),
  });
  assert.equal(reply.status, 200);
  assert.equal(typeof (await reply.json()).translation, 'string');
  const info = new URL('/api/info', url);
  assert.equal(await statusWithHost(info, 'mybox.test:8443'), 200);
  assert.equal(await statusWithHost(info, 'otherbox.test'), 421);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 0, err);
  assert.match(out, /stopping/);
});

test('serve refuses bad flags, missing folders, folders without a tokenizer and a busy port', async () => {
  const bare = join(fixture.dir, '..', 'bare');
  await saveModel(bare, fixture.model);
  const broken = join(fixture.dir, '..', 'broken');
  cpSync(fixture.dir, broken, { recursive: true });
  truncateSync(join(broken, 'model.safetensors'), 1000);
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = String((busy.address() as { port: number }).port);
  try {
    // Exit 2 for a wrong command line, 1 for a folder or port that cannot serve.
    const cases: [string[], RegExp, number][] = [
      [[], /--model DIR is required/, 2],
      [['--model', join(fixture.dir, 'nothing')], /--model .*nothing: no such folder/, 2],
      [['--model', join(fixture.dir, 'config.json')], /--model .*config\.json: a folder was expected/, 2],
      [['--model', fixture.dir, '--port', '70000'], /--port must be an integer from 0 to 65535, got "70000"/, 2],
      [['--model', fixture.dir, '--max-batch', '0'], /--max-batch must be an integer from 1/, 2],
      [
        ['--model', fixture.dir, '--allowed-host', 'evil.example/x'],
        /--allowed-host must be a host name or address .*"evil\.example\/x"/,
        2,
      ],
      [['--model', bare, '--port', '0'], /bare has no tokenizer.json/, 1],
      [['--model', broken, '--port', '0'], /broken\/model\.safetensors: .*truncated/, 1],
      [['--model', fixture.dir, '--port', port], new RegExp(`port ${port} on 127.0.0.1 is in use`), 1],
    ];
    for (const [args, message, code] of cases) {
      const result = runCli(['serve', ...args]);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.err}`);
      assert.match(result.err, message);
      assert.doesNotMatch(result.err, /\n\s+at /, 'no stack trace');
    }
  } finally {
    busy.close();
  }
});
