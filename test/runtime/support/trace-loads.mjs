// `node --import ./test/runtime/support/trace-loads.mjs ...`: prints `load URL` on stderr for every module loaded.
// The hook runs on the loader's own thread, whose process.stderr hands each write to the main thread
// asynchronously: under Node 24 every line but the first was lost in 12 of 30 runs of `cep check`, the
// process having ended first. writeSync to fd 2 writes the line before the hook returns, and so before
// the module loads.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent('import { writeSync } from "node:fs"; export async function load(url, context, next) { writeSync(2, `load ${url}\\n`); return next(url, context); }'),
);
