/**
 * The options of `cep run`, as one zod schema ({@link runOptionsSchema}), and those of `cep
 * serve`'s config file (DSL.md section 10): the same options plus `rules:` (the file itself is
 * read by `config-file.ts`). `cep run` takes its parsed command line as {@link RunOptions}, the
 * schema's type; test/runtime/service/config.test.ts holds the command line's options and defaults
 * equal to the schema's, so the two cannot drift apart. (`cep run` does not load zod to check what
 * commander has checked: loading zod slows start-up, bench/README.md.)
 *
 * Values take the forms a YAML file writes naturally: a duration as text (`5s`, `1m30s`) or a
 * number of ms; a list option as a list or one string; `ws:` and `metrics:` as `host:port` or a
 * port number. The combinations (Kafka options that need each other) are checked where the inputs
 * are opened (`live-options.ts`), for both commands alike.
 */
import { z } from 'zod';
import { SASL_MECHANISMS } from '../../alerts/kafka-options.js';
import { INPUT_FORMATS } from '../sources/formats.js';
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
  format: z.enum([...INPUT_FORMATS.keys()]).optional(),
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
  kafkaSasl: z.enum(SASL_MECHANISMS).optional(),
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
