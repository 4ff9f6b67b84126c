/**
 * The options of `cep run`, as one zod schema ({@link runOptionsSchema}), and the config file of
 * `cep serve` (DSL.md section 10): the same options under their own names (kebab-case or
 * camelCase, without the dashes) plus `rules:`. `cep run`'s parsed command line goes through the
 * same schema ({@link runOptionsFromCli}), so the two cannot drift apart: an option declared on
 * the command line but missing here fails every `cep run` (and the test that compares them).
 *
 * Values take the forms a YAML file writes naturally: a duration as text (`5s`, `1m30s`) or a
 * number of ms; a list option as a list or one string; `ws:` and `metrics:` as `host:port` or a
 * port number. The combinations (Kafka options that need each other) are checked where the inputs
 * are opened (`live-options.ts`), for both commands alike.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { didYouMean } from '../../dsl/suggest.js';
import { parseDuration } from '../time.js';
import { LOG_FORMATS } from './logger.js';

/** A duration: text (`5s`) or ms. */
const duration = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && value >= 0 && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }
  ctx.addIssue({ code: 'custom', message: `expected a duration such as 5s, 1m30s or 250ms (or a number of ms), got ${JSON.stringify(value)}` });
  return z.NEVER;
});
const positiveDuration = duration.refine((ms) => ms > 0, 'expected a duration above 0');
/** A Kafka client duration: whole ms. */
const kafkaDuration = duration.transform((ms) => Math.round(ms));
/** One string or a list of them → a list. */
const list = z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)], { error: 'expected a string or a list of strings' });
/** `host:port`, `:port` or a port number → text (checked where the server starts). */
const hostPort = z.union([z.int().min(0).max(65535).transform(String), z.string().min(1)], { error: 'expected host:port, :port or a port number' });
const positiveInt = z.int({ error: 'expected a whole number ≥ 1' }).min(1, 'expected a whole number ≥ 1');

/**
 * Every option of `cep run` (commander's camelCase names), with the defaults `cep run` has.
 * Parsing fills the defaults and turns durations into ms.
 */
export const runOptionsSchema = z.strictObject({
  // Inputs (replay-options.ts)
  input: list.optional(),
  format: z.enum(['ndjson', 'csv']).optional(),
  timeField: z.string().min(1).default('ts'),
  timeFormat: z.string().min(1).optional(),
  typeField: z.string().min(1).default('type'),
  maxDelay: duration.default(0),
  maxFuture: positiveDuration.optional(),
  idle: positiveDuration.optional(),
  late: z.string().min(1).optional(),
  deadLetter: z.string().min(1).optional(),
  maxKeys: positiveInt.default(1_000_000),
  maxPartialMatches: positiveInt.default(10_000),
  speed: z.number().positive().finite().optional(),
  linger: z.boolean().optional(),
  progress: z.boolean().default(true),
  // Output (run.ts)
  out: z.string().min(1).optional(),
  // Live inputs and sinks (live-options.ts)
  ws: hostPort.optional(),
  wsToken: z.string().min(1).optional(),
  wsOrigin: list.optional(),
  kafkaBrokers: list.optional(),
  kafkaTopic: z.string().min(1).optional(),
  kafkaTopics: list.optional(),
  kafkaGroup: z.string().min(1).optional(),
  typeFromTopic: z.boolean().optional(),
  kafkaSessionTimeout: kafkaDuration.default(10_000),
  exactlyOnce: z.boolean().optional(),
  commitInterval: kafkaDuration.default(1000),
  stateTopic: z.string().min(1).optional(),
  kafkaSsl: z.boolean().optional(),
  kafkaCa: z.string().min(1).optional(),
  kafkaCert: z.string().min(1).optional(),
  kafkaKey: z.string().min(1).optional(),
  kafkaSasl: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  kafkaUser: z.string().min(1).optional(),
  // Service (live-options.ts)
  metrics: hostPort.optional(),
  logFormat: z.enum(LOG_FORMATS).default('text'),
});

/** The options of a run, validated, defaults filled in, durations in ms: what `replay` takes. */
export type RunOptions = z.output<typeof runOptionsSchema>;

/** `cep serve`'s config file: the run options plus `rules:`, files or globs. */
export const serveConfigSchema = runOptionsSchema.extend({ rules: list });

export type ServeConfig = z.output<typeof serveConfigSchema>;

/**
 * `cep run`'s parsed command line as {@link RunOptions}. Commander has already checked each value,
 * so a failure here is a bug (an option declared on the command line but not in the schema).
 * @throws Error naming the options that do not fit.
 */
export function runOptionsFromCli(opts: Record<string, unknown>): RunOptions {
  const parsed = runOptionsSchema.safeParse(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)));
  if (!parsed.success) throw new Error(`the command line's options do not fit the run options schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** A config file that cannot be used: every problem, each as `file:line:col: message`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** `max-delay` → `maxDelay`. */
function camelCase(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `maxDelay` → `max-delay`, as the key is written in the documentation. */
function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Reads and checks `cep serve`'s config file: YAML, one mapping of options. Every problem is
 * reported: an unknown key (with a did-you-mean), an option given twice (`max-delay` and
 * `maxDelay`), a bad value (its key and what is expected), a missing `rules:`.
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
  const known = Object.keys(serveConfigSchema.shape);
  const problems: { offset: number; message: string }[] = [];
  const problem = (offset: number | undefined, message: string): void => {
    problems.push({ offset: offset ?? -1, message: `${at(offset)}: ${message}` });
  };
  const options: Record<string, unknown> = {};
  const where = new Map<string, number | undefined>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    const name = camelCase(key);
    if (!known.includes(name)) {
      problem(offset, `unknown key '${key}'${didYouMean(key, known.map(kebabCase))}`);
      continue;
    }
    if (where.has(name)) {
      problem(offset, `'${key}' is given twice (also at ${at(where.get(name)).slice(path.length + 1)})`);
      continue;
    }
    where.set(name, offset);
    options[name] = (pair.value as { toJSON?: () => unknown } | null)?.toJSON?.() ?? (isScalar(pair.value) ? pair.value.value : pair.value);
  }
  const parsed = serveConfigSchema.safeParse(options);
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
  return parsed.data!;
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
