/* global self */
// The playground's worker starts as a classic script (the wasm loader needs importScripts, which
// module workers lack) and imports the compiled worker module.
import('../../dist/web/playground/worker.js').catch((error) => {
  self.postMessage({ type: 'error', id: null, message: `the worker did not start: ${error.message}` });
});
