// Builds the native backend with node-gyp during `npm install` (or `npm run build`). A failed build
// is not fatal: the library then runs on the `js` backend and says so once when it loads.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

// npm passes its bundled node-gyp to lifecycle scripts; outside npm, look for the copy beside npm.
function findNodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const candidate = path.join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return existsSync(candidate) ? candidate : null;
}

// Build against the headers installed with this Node when they are there, so nothing is downloaded.
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include/node/node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

const gyp = findNodeGyp();
const args = ['rebuild', ...nodedirArgs()];
const result = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' })
  : spawnSync('node-gyp', args, { stdio: 'inherit', shell: true });
if (result.status !== 0) {
  console.warn(
    'transformer-ts: the native backend did not build (it needs g++, make and python3); ' +
      'the library will run on the slower js backend.',
  );
}
