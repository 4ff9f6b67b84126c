/**
 * The command line's options made from their declarations (`option-spec.ts`): one commander
 * `Option` per `OptionSpec`, each kind with its parser, so that a bad value is bad usage (exit 2)
 * as it is parsed, with the message of its kind.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../time.js';
import type { OptionKind, OptionSpec } from './option-spec.js';

/** Declares `specs` on `command`, in their order (the help's order). */
export function addOptions(command: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) command.addOption(optionOf(spec));
  return command;
}

function optionOf(spec: OptionSpec): Option {
  const option = new Option(spec.flag, spec.description);
  const parse = PARSERS[spec.kind];
  if (parse !== undefined) option.argParser(parse);
  if (spec.kind === 'enum' && spec.ignoreCase !== true) option.choices(spec.choices);
  // A negated flag (`--no-progress`) gets its default of true from commander, unshown in the help.
  if (spec.default !== undefined && !option.negate) option.default(spec.default, spec.defaultHelp);
  return option;
}

/** The parser of each kind whose text is not its value. */
const PARSERS: Partial<Record<OptionKind, (text: string) => unknown>> = {
  duration,
  'positive-duration': (text) => {
    const ms = duration(text);
    if (ms <= 0) throw new InvalidArgumentError(`'${text}' must be a duration above 0`);
    return ms;
  },
  'whole-ms-duration': (text) => Math.round(duration(text)),
  'positive-integer': (text) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${text}' is not a whole number ≥ 1`);
    return n;
  },
  'positive-number': (text) => {
    const n = Number(text);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`'${text}' is not a number above 0`);
    return n;
  },
};

/** A duration (`5s`, `1m30s`) in ms. @throws InvalidArgumentError (bad usage) for a bad duration. */
function duration(text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}
