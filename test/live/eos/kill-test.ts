/**
 * What each kill test's file sets up the same way (exactly-once, exactly-once with `--speed`,
 * at-least-once rebalance): the harness's kafkajs client and its admin, connected before the
 * file's tests and disconnected after them, and one directory for the processes' logs, removed
 * after the file only when its tests reported success, kept (and named on stdout) otherwise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { brokers } from '../kafka-helpers.js';
import { harnessKafka } from './producer.js';

/** A kill test file's client, admin and log directory (read them inside a test: they exist from `beforeAll` on). */
export interface KillTestSetup {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly dir: string;
  /**
   * Records one test's outcome. The log directory is removed after the file only when at least
   * one test reported and none reported a failure: a test that throws before reporting keeps it.
   */
  report(ok: boolean): void;
}

/** Options of {@link killTestSetup}. */
export interface KillTestOptions {
  /** Names the file's kept logs on stdout (`<label>: process logs kept in <dir>`). */
  readonly label: string;
  /** Prefix of the log directory under the system's temporary directory. */
  readonly prefix: string;
  /** kafkajs client id of the harness (default: `harnessKafka`'s). */
  readonly clientId?: string;
  /** Keep the logs even when every test passed. */
  readonly keep?: boolean;
}

/** Registers the file's `beforeAll`/`afterAll` (call it at the top level of a test file) and returns what they set up. */
export function killTestSetup(options: KillTestOptions): KillTestSetup {
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let dir: string | undefined;
  let reports = 0;
  let failed = false;
  beforeAll(async () => {
    kafka = harnessKafka(brokers(), options.clientId);
    admin = kafka.admin();
    await admin.connect();
    dir = mkdtempSync(join(tmpdir(), options.prefix));
  });
  afterAll(async () => {
    await admin?.disconnect();
    if (dir === undefined) return;
    if (reports > 0 && !failed && options.keep !== true) rmSync(dir, { recursive: true, force: true });
    else console.log(`${options.label}: process logs kept in ${dir}`);
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('killTestSetup: read inside a test, after beforeAll');
    return value;
  };
  return {
    get kafka() {
      return ready(kafka);
    },
    get admin() {
      return ready(admin);
    },
    get dir() {
      return ready(dir);
    },
    report(ok) {
      reports++;
      failed ||= !ok;
    },
  };
}
