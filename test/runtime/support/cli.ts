/** Runs the `cep` CLI in a child process, from the built `dist/` when present, else through tsx. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BUILT = 'dist/runtime/cli.js';

/** The node arguments that start the CLI. */
export function cliArgs(): string[] {
  return existsSync(BUILT) && process.env.CEP_TEST_TSX === undefined ? [BUILT] : ['--import', 'tsx', 'src/runtime/cli.ts'];
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cep ARGS` to the end with `input` on stdin. */
export function cep(args: string[], input?: string | Buffer): CliResult {
  const r = spawnSync(process.execPath, [...cliArgs(), ...args], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `cep ARGS` asynchronously (for tests that feed stdin over time or send signals). */
export function cepAsync(args: string[]) {
  return spawn(process.execPath, [...cliArgs(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}
