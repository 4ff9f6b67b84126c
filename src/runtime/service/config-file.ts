/**
 * `cep serve`'s config file (DSL.md section 10): YAML, one mapping of the run options
 * ({@link serveConfigSchema}) under their own names, kebab-case or camelCase, plus `rules:`. Read
 * with positions, so that each problem is reported as `file:line:col: message`.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { didYouMean } from '../../dsl/suggest.js';
import { camelCase, negatedKeys, serveConfigSchema, type ServeConfig } from './config.js';

/** A config file that cannot be used: every problem, each as `file:line:col: message`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** `maxDelay` → `max-delay`, as the key is written in the documentation. */
function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Reads and checks `cep serve`'s config file: YAML, one mapping of options. Every problem is
 * reported: an unknown key (with a did-you-mean), an option given twice (`max-delay` and
 * `maxDelay`, or `progress` and `no-progress`), a bad value (its key and what is expected), a
 * missing `rules:`. A negated flag is written under its own name (`no-progress: true`) or the one
 * it negates (`progress: false`).
 * @throws ConfigError listing them as `file:line:col: message`; Error (with `code`) when the file cannot be read.
 */
export function loadServeConfig(path: string): ServeConfig {
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (offset: number | undefined): string => {
    if (offset === undefined) return path;
    const { line, col } = lines.linePos(offset);
    return `${path}:${line}:${col}`;
  };
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => `${at(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0]}`));
  const root = doc.contents;
  if (!isMap(root)) throw new ConfigError([`${at(root?.range?.[0])}: expected a mapping of options (rules:, input:, max-delay:, ...)`]);
  const schema = serveConfigSchema();
  const known = Object.keys(schema.shape);
  const problems: { offset: number; message: string }[] = [];
  const problem = (offset: number | undefined, message: string): void => {
    problems.push({ offset: offset ?? -1, message: `${at(offset)}: ${message}` });
  };
  const negated = negatedKeys();
  const options: Record<string, unknown> = {};
  const where = new Map<string, number | undefined>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    const negates = negated.get(camelCase(key));
    const name = negates ?? camelCase(key);
    if (!known.includes(name)) {
      problem(offset, `unknown key '${key}'${didYouMean(key, known.map(kebabCase))}`);
      continue;
    }
    if (where.has(name)) {
      problem(offset, `'${key}' is given twice (also at ${at(where.get(name)).slice(path.length + 1)})`);
      continue;
    }
    where.set(name, offset);
    const value = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? (isScalar(pair.value) ? pair.value.value : pair.value);
    if (negates === undefined) options[name] = value;
    else if (typeof value === 'boolean') options[name] = !value; // `no-progress: true` is `--no-progress`
    else problem((pair.value as { range?: [number] } | null)?.range?.[0] ?? offset, `${key}: expected true or false`);
  }
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [name, ...rest] = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') continue; // reported above
      const key = name === undefined ? '' : kebabCase(name) + rest.map((p) => `[${p}]`).join('');
      const missing = name !== undefined && options[name] === undefined;
      problem(valueOffset(doc, name), missing ? `'${key}' is missing: ${missingHint(name)}` : `${key}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.sort((a, b) => a.offset - b.offset).map((p) => p.message));
  return parsed.data as ServeConfig; // the schema is made from the option specs that ServeConfig is derived from
}

function missingHint(name: string | undefined): string {
  return name === 'rules' ? 'list the rule files (or globs) to run, e.g. rules: [rules/*.cep]' : 'give a value';
}

/** Where the value of top-level key `name` (either spelling) starts, if it is there. */
function valueOffset(doc: Document, name: string | undefined): number | undefined {
  if (name === undefined || !isMap(doc.contents)) return undefined;
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (camelCase(key) === name) return (pair.value as { range?: [number, number, number] } | null)?.range?.[0] ?? (pair.key as { range?: [number] }).range?.[0];
  }
  return undefined;
}
