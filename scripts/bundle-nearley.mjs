// Build step (package.json `build`, after tsc): replaces dist/dsl/nearley-runtime.js with the same
// module bundled with nearley's runtime (lib/nearley.js), its MIT licence text kept at the top, so
// that the published package imports no nearley at run time (see src/dsl/nearley-runtime.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const nearleyDir = dirname(require.resolve('nearley/package.json'));
const { version } = JSON.parse(readFileSync(join(nearleyDir, 'package.json'), 'utf8'));
const licence = readFileSync(join(nearleyDir, 'LICENSE.txt'), 'utf8').trim();

await build({
  entryPoints: ['src/dsl/nearley-runtime.ts'],
  outfile: 'dist/dsl/nearley-runtime.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: `/*! nearley ${version} runtime (lib/nearley.js), bundled. ${licence.replaceAll('*/', '* /')} */` },
});
