// `node --import ./test/runtime/support/trace-loads.mjs ...`: prints `load URL` on stderr for every module loaded.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent('export async function load(url, context, next) { process.stderr.write(`load ${url}\\n`); return next(url, context); }'),
);
