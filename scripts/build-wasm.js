// Builds the `wasm` backend (`npm run build:wasm`) from the same C++ kernels as the native addon,
// with Emscripten, into build-wasm/ (not committed; node-gyp's rebuild empties build/):
//   transformer-wasm.{js,wasm}                 one thread: pages that are not cross-origin isolated
//   transformer-wasm-threads.{js,wasm,worker.js}  pthreads on a shared memory: Node, isolated pages
// The .js files are Emscripten's loaders (MODULARIZE, CommonJS); src/backend/wasm/ drives them.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build-wasm');
const emcc = process.env.EMCC ?? 'em++';

if (spawnSync(emcc, ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error(
    `build-wasm: ${emcc} was not found; install Emscripten (Debian: apt-get install emscripten) or set EMCC`,
  );
  process.exit(1);
}

const kernels = readdirSync(path.join(root, 'native/kernels'))
  .filter((f) => f.endsWith('.cc'))
  .map((f) => `native/kernels/${f}`);
const common = [
  ...kernels,
  'native/gemm.cc',
  'native/gemm_kernels_wasm.cc',
  'native/gemm_kernels_portable.cc',
  // The x86 kernels compile to stubs that report their absence, so gemm.cc needs no wasm branch.
  'native/gemm_kernels_avx2.cc',
  'native/gemm_kernels_avx512.cc',
  'native/wasm/glue.cc',
];
const flags = [
  '-std=c++17',
  '-O3',
  '-msimd128',
  '-fno-math-errno',
  '-sMODULARIZE=1',
  '-sEXPORT_NAME=createTransformerWasm',
  '-sENVIRONMENT=web,worker,node',
  // The loader hands over the memory (src/backend/wasm/load.ts), so it decides its size.
  '-sIMPORTED_MEMORY=1',
  '-sALLOW_MEMORY_GROWTH=1',
  '-sMAXIMUM_MEMORY=4GB',
  '-sEXPORTED_FUNCTIONS=_malloc,_free',
  // Leave Node's own handling of uncaught errors and of exit alone.
  '-sNODEJS_CATCH_EXIT=0',
  '-sNODEJS_CATCH_REJECTION=0',
];
const builds = [
  { name: 'transformer-wasm', sources: ['native/threadpool_serial.cc'], extra: [] },
  {
    name: 'transformer-wasm-threads',
    sources: ['native/threadpool.cc'],
    // One worker per core besides the caller, preloaded: a page starts a worker only when its
    // thread returns to the event loop, so the kernels cannot wait for a new one.
    extra: [
      '-pthread',
      '-sPTHREAD_POOL_SIZE=Math.max(0,(ENVIRONMENT_IS_NODE?require("os").cpus().length:navigator.hardwareConcurrency)-1)',
      '-Wno-pthreads-mem-growth',
    ],
  },
];

// Debian's Emscripten runs its JavaScript tools with the `node` on the PATH and expects Debian's
// Node modules (acorn) on its search path.
const env = { ...process.env };
if (existsSync('/usr/share/nodejs'))
  env.NODE_PATH = ['/usr/share/nodejs', env.NODE_PATH].filter(Boolean).join(path.delimiter);

mkdirSync(out, { recursive: true });
// The loaders are CommonJS, in a package that is an ES module.
writeFileSync(path.join(out, 'package.json'), '{ "type": "commonjs" }\n');

function build({ name, sources, extra }) {
  const args = [...common, ...sources, ...flags, ...extra, '-o', path.join(out, `${name}.js`)];
  return new Promise((resolve) => {
    const child = spawn(emcc, args, { cwd: root, env, stdio: 'inherit' });
    child.on('close', (code) => resolve(code === 0));
  });
}

const started = Date.now();
const results = await Promise.all(builds.map(build));
if (results.some((ok) => !ok)) {
  console.error('build-wasm: the build failed (see the compiler output above)');
  process.exit(1);
}
console.log(
  `build-wasm: ${builds.map((b) => `build-wasm/${b.name}.js`).join(', ')} (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
