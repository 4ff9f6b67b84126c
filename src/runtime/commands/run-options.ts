/**
 * Every option of `cep run`, in help order: `--out`, the replay options (`replay-options.ts`) and
 * the live options (`live-options.ts`). `cep serve`'s config file holds the same options under the
 * same names (`service/config.ts` makes its schema from {@link runOptionSpecs}).
 */
import { liveOptionSpecs, type LiveOptions } from './live-options.js';
import type { OptionSpec, OptionValues } from './option-spec.js';
import { replayOptionSpecs, type ReplayOptions } from './replay-options.js';

const OUT_OPTIONS = [{ flag: '--out <file>', key: 'out', kind: 'file', description: 'write alerts here instead of stdout' }] as const satisfies readonly OptionSpec[];

/** The options of a run, parsed (defaults filled in, durations in ms): what `replay` takes. */
export type RunOptions = OptionValues<typeof OUT_OPTIONS> & ReplayOptions & LiveOptions;

/** The specs of every option of `cep run`, from the tables as they are now (a registered input format or connector included). */
export function runOptionSpecs(): OptionSpec[] {
  return [...OUT_OPTIONS, ...replayOptionSpecs(), ...liveOptionSpecs()];
}
