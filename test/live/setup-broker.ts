/**
 * Vitest setup of the `live` project: before the tests of a file, waits until the test broker that
 * global-setup.ts starts in the background answers (its status file says `ready`). When the start
 * failed, every live file fails with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, inject } from 'vitest';

/** How long a file waits for the broker: its own start timeout (scripts/kafka/broker.ts) and some. */
const WAIT_MS = 150_000;

beforeAll(async () => {
  const status = inject('kafkaStartStatus');
  for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; ) {
    if (existsSync(status)) {
      const text = readFileSync(status, 'utf8');
      if (text === 'ready') return;
      throw new Error(`the test Kafka broker did not start: ${text.replace(/^failed: /, '')}`);
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`the test Kafka broker did not report its start within ${WAIT_MS / 1000} s`);
}, WAIT_MS + 10_000);
