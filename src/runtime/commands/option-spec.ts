/**
 * An option of `cep run`, declared once as plain data: `cli-options.ts` makes the command line's
 * option of it (commander) and `service/config.ts` the key of `cep serve`'s config file (zod). This
 * module loads neither, so that `cep run` and `cep check` start without zod (bench/README.md,
 * start-up). The kind says what a value is on both sides: on the command line the text after the
 * flag, in a config file the YAML value (a duration as text or a number of ms, a list as a list or
 * one string, an address as `host:port` or a port number).
 */

/** What an option's value is. Each kind's command-line parser and config check are written once, in `cli-options.ts` and `service/config.ts`. */
export type OptionKind =
  /** A non-empty string. */
  | 'string'
  /** A file name; `cep serve` resolves it against the config file's folder (`-` stays stdin/stdout). */
  | 'file'
  /** Strings (`<x...>` on the command line). */
  | 'list'
  /** File names, each resolved as a `file` is. */
  | 'files'
  /** A flag (`--linger`), or with a default of `true` its negation (`--no-progress`). */
  | 'boolean'
  /** A duration (`5s`, `1m30s`) in ms, 0 allowed. */
  | 'duration'
  /** A duration above 0, ms. */
  | 'positive-duration'
  /** A duration rounded to whole ms (the Kafka client's timeouts). */
  | 'whole-ms-duration'
  /** A whole number ≥ 1. */
  | 'positive-integer'
  /** A finite number above 0. */
  | 'positive-number'
  /** `host:port`, `:port` or a port, kept as text (checked where the server starts, `parseHostPort`). */
  | 'host-port'
  /** One of `choices`. */
  | 'enum';

/** One option. `key` is commander's attribute name of `flag` and the config file's camelCase key. */
export type OptionSpec = {
  /** commander's flags: `--max-delay <duration>`, `--input <file...>`, `--linger`, `--no-progress`. */
  readonly flag: string;
  /** `maxDelay`: the parsed options' field and the config key (also written kebab-case, `max-delay`). */
  readonly key: string;
  /** The help text. */
  readonly description: string;
  /** The value when the option is not given (the parsed value: ms for durations). */
  readonly default?: unknown;
  /** How the help shows the default instead of the value itself (`10s` for 10000). */
  readonly defaultHelp?: string;
} & (
  | { readonly kind: Exclude<OptionKind, 'enum'> }
  | {
      readonly kind: 'enum';
      /** The values allowed. */
      readonly choices: readonly string[];
      /**
       * The value may be written in any case. The command line passes it on as given (its user
       * lower-cases it and reports a wrong one itself, `--kafka-sasl`); a config file lower-cases it
       * and checks it against `choices`.
       */
      readonly ignoreCase?: boolean;
    }
);

/** The parsed value of `S` (durations in ms). */
type ValueOf<S extends OptionSpec> = S['kind'] extends 'list' | 'files'
  ? string[]
  : S['kind'] extends 'boolean'
    ? boolean
    : S['kind'] extends 'duration' | 'positive-duration' | 'whole-ms-duration' | 'positive-integer' | 'positive-number'
      ? number
      : S extends { readonly ignoreCase: true }
        ? string
        : S extends { readonly choices: readonly (infer C extends string)[] }
          ? C
          : string;

/** The parsed options of the list `S`: an option with a default is always there, the others may be absent. */
export type OptionValues<S extends readonly OptionSpec[]> = {
  -readonly [O in S[number] as O extends { readonly default: unknown } ? O['key'] : never]: ValueOf<O>;
} & {
  -readonly [O in S[number] as O extends { readonly default: unknown } ? never : O['key']]?: ValueOf<O>;
};
