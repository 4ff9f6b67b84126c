#!/usr/bin/env node
/**
 * `cep`: the command line of DSL.md section 7. Each command lives in `commands/<name>.ts` and
 * registers itself on the program; only the command that runs is loaded. Exit codes: 0 ok (help
 * and `--version` included), 1 rule errors (or a `cep test` difference; `cep test` gives 3 for rule
 * errors), 2 bad usage. Only alerts go to stdout; everything else goes to stderr, except what the
 * user asked for: `--version`.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, type Option } from 'commander';
import { EXIT_USAGE } from './commands/exit-codes.js';

/** The package's version, read from its package.json (dist/runtime/ and src/runtime/ are both two levels down). */
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('cep')
  .description('Complex event processing: match rules (DSL.md) against event streams.')
  .version(version, '-V, --version', 'print the version')
  // One style for every error line: `cep: error: ...` (commander's own messages included).
  .configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => write(s.startsWith('error:') ? `cep: ${s}` : s),
  })
  // Required options are marked in the help (DSL.md section 7).
  .configureHelp({
    optionDescription(this: Help, option: Option): string {
      const text = Help.prototype.optionDescription.call(this, option);
      return option.mandatory ? `${text} (required)` : text;
    },
  })
  .exitOverride();

/**
 * The commands, each loaded only when it runs (start-up: `cep check` never loads kafkajs, ws or the
 * engine). Help, `--version` and an unknown command load them all, to list them.
 */
const COMMANDS: Readonly<Record<string, () => Promise<(program: Command) => void>>> = {
  check: async () => (await import('./commands/check.js')).registerCheck,
  explain: async () => (await import('./commands/explain.js')).registerExplain,
  run: async () => (await import('./commands/run.js')).registerRun,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  test: async () => (await import('./commands/test.js')).registerTest,
};
const only = Object.hasOwn(COMMANDS, process.argv[2] ?? '') ? COMMANDS[process.argv[2]] : undefined;
for (const load of only !== undefined ? [only] : Object.values(COMMANDS)) (await load())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    const helpShown = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version';
    process.exit(helpShown ? 0 : EXIT_USAGE);
  }
  throw error;
}
