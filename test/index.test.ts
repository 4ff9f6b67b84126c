/**
 * The package as a user gets it (package.json `exports` → dist/, built by `npm test`'s pretest):
 * importing the root loads neither kafkajs nor ws nor nearley (whose runtime is bundled into
 * dist/dsl/nearley-runtime.js at build), the subpaths `cep-engine/kafka` and `cep-engine/websocket`
 * load what they need, and the README's library example type-checks against the published types
 * and prints what its comment says. Each check runs in a fresh Node process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** A directory where `cep-engine` is installed (a symlink to this repository, as `npm link` makes). */
function userProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cep-user-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'cep-engine'), 'dir');
  return dir;
}

/** The packages (`node_modules/NAME/`) a fresh Node process has loaded after importing `specifiers` (kafkajs and ws are CommonJS: they show in the require cache even when imported from ESM). */
function packagesLoadedBy(...specifiers: string[]): string[] {
  const dir = userProject();
  const script = join(dir, 'probe.mjs');
  writeFileSync(
    script,
    `import { createRequire } from 'node:module';
${specifiers.map((s, i) => `import * as m${i} from '${s}';`).join('\n')}
if (m0.parseRules?.('rule r\\n  key by k\\n  pattern a -> b\\n').length === 0) throw new Error('no rule parsed');
const names = new Set(Object.keys(createRequire(import.meta.url).cache).map((p) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(p)?.[1]).filter(Boolean));
console.log(JSON.stringify([...names].sort()));`,
  );
  return JSON.parse(execFileSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' })) as string[];
}

const README_EXAMPLE = /```ts\n(import [^\n]* from 'cep-engine';\n[\s\S]*?runOnArray[\s\S]*?)```/;

/**
 * Type-checks TypeScript ES modules (name → source) as a user's, against the package's published
 * types, and compiles them to `out/NAME.mjs` (emitted even when some fail). Returns tsc's messages.
 */
function typeCheck(dir: string, files: Readonly<Record<string, string>>): string {
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, `${name}.mts`), source);
  const args = ['--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--outDir', 'out'];
  try {
    return execFileSync(process.execPath, [TSC, ...args, ...Object.keys(files).map((n) => `${n}.mts`)], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

describe('the package', () => {
  it('loads neither kafkajs, ws nor nearley when its root is imported, and parses rules', () => {
    const loaded = packagesLoadedBy('cep-engine');
    expect(loaded).not.toContain('kafkajs');
    expect(loaded).not.toContain('ws');
    expect(loaded).not.toContain('nearley');
    expect(loaded).toContain('moo'); // the probe sees CommonJS packages: the lexer's is one
  });

  it('loads kafkajs from cep-engine/kafka and ws from cep-engine/websocket', () => {
    expect(packagesLoadedBy('cep-engine/kafka')).toContain('kafkajs');
    expect(packagesLoadedBy('cep-engine/websocket')).toContain('ws');
  });

  it('keeps nearley (its compiler and the compiler\'s dependencies) out of the dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('nearley');
    expect(Object.keys(pkg.devDependencies)).toContain('nearley');
    expect(readFileSync(join(ROOT, 'dist', 'dsl', 'nearley-runtime.js'), 'utf8')).not.toMatch(/from ["']nearley["']|require\(["']nearley["']\)/);
  });

  it('runs the README library example, type-checked, and prints what its comment says', () => {
    const example = README_EXAMPLE.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))?.[1];
    expect(example).toBeDefined();
    const dir = userProject();
    // The type check is real: the same example with a wrong option type fails it, and only that one.
    const broken = example!.replace('runOnArray(rules, events)', "runOnArray(rules, events, { maxDelay: '5s' })");
    const messages = typeCheck(dir, { example: example!, broken });
    expect(messages.trim().split('\n')).toEqual([expect.stringMatching(/^broken\.mts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/)]);
    const out = execFileSync(process.execPath, [join(dir, 'out', 'example.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(out.trim()).toBe(/\/\/ (.*)\n$/.exec(example!)?.[1]);
  });
});
