/**
 * `cep serve`'s config file as a zod schema (DSL.md section 10): every option of `cep run` under its
 * own name ({@link runOptionsSchema}, made from the same option tables as the command line,
 * `commands/run-options.ts`), plus `rules:` (the file itself is read by `config-file.ts`). `cep
 * run` does not load zod: commander has checked its options (loading zod slows start-up,
 * bench/README.md).
 *
 * Values take the forms a YAML file writes naturally: a duration as text (`5s`, `1m30s`) or a
 * number of ms; a list option as a list or one string; `ws:` and `metrics:` as `host:port` or a
 * port number. The combinations (Kafka options that need each other) are checked where the inputs
 * are opened (`connectors.ts`), for both commands alike.
 */
import { z } from 'zod';
import type { OptionKind, OptionSpec } from '../commands/option-spec.js';
import { runOptionSpecs, type RunOptions } from '../commands/run-options.js';
import { parseDuration } from '../time.js';

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
const wholeMsDuration = duration.transform((ms) => Math.round(ms));
const text = z.string().min(1);
/** One string or a list of them → a list. */
const list = z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)], { error: 'expected a string or a list of strings' });
/** `host:port`, `:port` or a port number → text (checked where the server starts). */
const hostPort = z.union([z.int().min(0).max(65535).transform(String), z.string().min(1)], { error: 'expected host:port, :port or a port number' });
const positiveInt = z.int({ error: 'expected a whole number ≥ 1' }).min(1, 'expected a whole number ≥ 1');

/** The config check of each kind of option (`option-spec.ts`); the command line's parser of the same kind is in `cli-options.ts`. */
const KINDS: Readonly<Record<Exclude<OptionKind, 'enum'>, z.ZodType>> = {
  string: text,
  file: text,
  list,
  files: list,
  boolean: z.boolean(),
  duration,
  'positive-duration': positiveDuration,
  'whole-ms-duration': wholeMsDuration,
  'positive-integer': positiveInt,
  'positive-number': z.number().positive().finite(),
  'host-port': hostPort,
};

/** The zod schema of one option: its kind's check, then its default (a value left out) or optional. */
function schemaOf(spec: OptionSpec): z.ZodType {
  let schema: z.ZodType;
  if (spec.kind !== 'enum') schema = KINDS[spec.kind];
  else {
    const choices = z.enum(spec.choices);
    schema = spec.ignoreCase === true ? z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), choices) : choices;
  }
  return spec.default === undefined ? schema.optional() : schema.default(spec.default);
}

/**
 * Every option of `cep run` (commander's camelCase names), with the defaults `cep run` has, from the
 * option tables as they are now. Parsing fills the defaults and turns durations into ms.
 */
export function runOptionsSchema(): z.ZodObject<Record<string, z.ZodType>, z.core.$strict> {
  return z.strictObject(Object.fromEntries(runOptionSpecs().map((spec) => [spec.key, schemaOf(spec)])));
}

/**
 * The negated flags of `cep run` (`--no-progress`) by the camelCase key of their own name without
 * the dashes (`noProgress`), each to the key it negates (`progress`): a config file may write
 * either (DSL.md section 10: every option under its own name).
 */
export function negatedKeys(): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const spec of runOptionSpecs()) {
    const m = /^--no-([a-z][a-z0-9-]*)$/.exec(spec.flag);
    if (spec.kind === 'boolean' && m !== null) out.set(camelCase(`no-${m[1]}`), spec.key);
  }
  return out;
}

/** A config key as commander names the option: `max-delay` → `maxDelay` (a camelCase key stays as it is). */
export function camelCase(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** `cep serve`'s config file: the run options plus `rules:`, files or globs. */
export function serveConfigSchema(): z.ZodObject<Record<string, z.ZodType>, z.core.$strict> {
  return runOptionsSchema().extend({ rules: list });
}

/** A config file's options, checked: the run options and the rule files. */
export type ServeConfig = RunOptions & { rules: string[] };
