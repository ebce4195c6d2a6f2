// `npm run test:consumer` (CI, after `npm test`): the package as a user gets it. Packs it with `npm pack`,
// installs the tarball into an empty project (from the npm cache when it can: --prefer-offline), compiles
// test/consumer/program.ts there with strict TypeScript against the installed types, runs it and checks
// what it printed. Says whether the install script built the native addon, and which backend ran.
// TRANSFORMER_KEEP_CONSUMER=1 keeps the temporary folder.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(tmpdir(), 'transformer-consumer-'));
const project = path.join(work, 'project');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function step(what, command, args, cwd) {
  console.log(`consumer: ${what}`);
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`${what} failed (exit ${result.status}): ${command} ${args.join(' ')}`);
  }
  return result;
}

function check(ok, what) {
  if (!ok) throw new Error(`consumer: ${what}`);
}

try {
  // 1. The tarball, as `npm publish` would make it (`prepare` compiles dist/).
  const packed = step('npm pack', npm, ['pack', '--json', '--pack-destination', work], root);
  const [{ filename, size, entryCount }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
  const tarball = path.join(work, filename);
  console.log(`consumer: ${filename}, ${size} bytes, ${entryCount} files`);

  // 2. An empty project that installs it.
  mkdirSync(project);
  const manifest = { name: 'transformer-ts-consumer', private: true, type: 'module' };
  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const installed = step(
    'npm install the tarball',
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', tarball],
    project,
  );
  const addonDir = path.join(project, 'node_modules', 'transformer-ts', 'build', 'Release');
  const addonBuilt = existsSync(addonDir) && readdirSync(addonDir).some((f) => f.endsWith('.node'));
  const installLog = installed.stdout + installed.stderr;
  console.log(
    `consumer: the install script ${/build-native|node-gyp|gyp info/.test(installLog) ? 'ran' : 'did not run'}; ` +
      `native addon ${addonBuilt ? 'built' : 'not built'}`,
  );

  // 3. The program, compiled strictly against the installed package's types (the compiler and Node's
  //    types come from this repository's install, so nothing more is downloaded).
  copyFileSync(path.join(root, 'test', 'consumer', 'program.ts'), path.join(project, 'program.ts'));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      noUncheckedIndexedAccess: false,
      skipLibCheck: false,
      typeRoots: [path.join(root, 'node_modules', '@types')],
      types: ['node'],
      lib: ['ES2022', 'DOM'],
      outDir: '.',
    },
    files: ['program.ts'],
  };
  writeFileSync(path.join(project, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  step(
    'tsc (strict, NodeNext)',
    process.execPath,
    [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project],
    project,
  );

  // 4. Run it and check what it saw.
  const runDir = path.join(work, 'run');
  mkdirSync(runDir);
  const ran = step('node program.js', process.execPath, ['program.js', runDir], project);
  const lines = ran.stdout.trim().split('\n');
  const out = JSON.parse(lines[lines.length - 1]);
  check(out.losses.length === 4 && out.losses.every(Number.isFinite), `4 finite losses, got ${out.losses}`);
  check(out.nbest.length === 2, `2 returned sequences, got ${out.nbest.length}`);
  check(out.streamed.join('') === out.greedy, 'the streamed pieces join to the greedy translation');
  check(out.bleu >= 0 && out.bleu <= 100, `a BLEU score, got ${out.bleu}`);
  const warned = ran.stderr.includes('native backend unavailable');
  check(out.backend === 'native' || warned, 'a js-backend fallback says so');
  console.log(`consumer: backend ${out.backend}${warned ? ' (with the warning that native is unavailable)' : ''}`);
  console.log(`consumer: losses ${out.losses.map((l) => l.toFixed(3)).join(' ')}; BLEU ${out.bleu.toFixed(2)}`);
  console.log(`consumer: n-best ${JSON.stringify(out.nbest)}; streamed ${JSON.stringify(out.streamed)}`);
  console.log('consumer: ok');
} finally {
  if (process.env.TRANSFORMER_KEEP_CONSUMER === '1') console.log(`consumer: kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
