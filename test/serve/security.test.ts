// The Host rule for each kind of address the server may listen on, and folders shown without the
// machine's paths.

import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { hidePath, hostRule, parseHost, shownPath } from '../../src/serve/security.js';

test('parseHost reads names, IPv4 and IPv6 addresses with an optional port, and nothing else', () => {
  assert.deepEqual(parseHost('localhost:8080'), { name: 'localhost', port: 8080 });
  assert.deepEqual(parseHost('[::1]:8080'), { name: '[::1]', port: 8080 });
  assert.deepEqual(parseHost('[0:0:0:0:0:0:0:1]:81'), { name: '[::1]', port: 81 });
  assert.deepEqual(parseHost('Example.ORG'), { name: 'example.org', port: 80 });
  for (const bad of ['', 'a b', 'a/b', 'user@host', 'host:port', 'host:99999', '::1', '[::1', 'a:1:2'])
    assert.equal(parseHost(bad), null, bad);
});

test('a loopback server answers to localhost, 127.0.0.1 and [::1] at its port only', () => {
  const known = hostRule({ address: '127.0.0.1', port: 8080, host: '127.0.0.1' });
  for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) assert.ok(known(host), host);
  for (const host of ['127.0.0.1:8081', 'localhost', 'evil.example:8080', '10.0.0.2:8080', undefined])
    assert.ok(!known(host), String(host));
  const onPort80 = hostRule({ address: '::1', port: 80, host: 'localhost' });
  assert.ok(onPort80('localhost') && onPort80('[::1]') && onPort80('localhost:80'));
});

test('a server on one address answers to it and to the host it was given, not to other names', () => {
  const known = hostRule({ address: '192.168.1.5', port: 9000, host: 'mybox.lan' });
  for (const host of ['192.168.1.5:9000', 'mybox.lan:9000', 'MYBOX.LAN:9000']) assert.ok(known(host), host);
  for (const host of ['localhost:9000', '127.0.0.1:9000', '192.168.1.6:9000', 'evil.example:9000'])
    assert.ok(!known(host), host);
});

test('a server on every interface answers to any address (no name), allowed names at any port', () => {
  const known = hostRule({ address: '0.0.0.0', port: 8080, host: '0.0.0.0', allowedHosts: ['mybox.local'] });
  for (const host of ['192.168.1.5:8080', '10.1.2.3:8080', '[fe80::1]:8080', 'localhost:8080', 'mybox.local'])
    assert.ok(known(host), host);
  for (const host of ['192.168.1.5:8081', 'evil.example:8080', 'mybox.local.evil.example:8080'])
    assert.ok(!known(host), host);
});

test('shownPath gives a folder outside the working folder by its name; hidePath takes its path out of messages', () => {
  const outside = join('/', 'nowhere-like-this', 'runs', 'm30k');
  assert.equal(shownPath(outside), 'm30k');
  assert.equal(shownPath(join(process.cwd(), 'runs', 'm30k')), 'runs/m30k');
  assert.equal(shownPath(join('runs', 'm30k')), 'runs/m30k');
  assert.equal(
    hidePath(`${join(outside, 'metrics.jsonl')} line 3: not valid JSON`, outside, 'm30k'),
    'm30k/metrics.jsonl line 3: not valid JSON',
  );
});
