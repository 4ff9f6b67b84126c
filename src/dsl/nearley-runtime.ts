/**
 * nearley's runtime, the Earley parser that the generated grammar runs on (parse.ts), and the one
 * place the package imports nearley. `npm run build` bundles this module with nearley's runtime
 * (`lib/nearley.js`, MIT, one file without dependencies) into dist/dsl/nearley-runtime.js
 * (package.json `build`, with esbuild), so the published package needs no nearley at run time: nearley, its
 * compiler nearleyc and the compiler's own dependencies (commander 2, railroad-diagrams, randexp)
 * are dev dependencies only.
 */
import nearley from 'nearley';

export default nearley;
