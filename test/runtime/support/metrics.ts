/** Reading a running `cep`'s `--metrics` endpoints in tests: /metrics through a real Prometheus text parser. */
import parse, { type ParsedFamily } from 'parse-prometheus-text-format';

/** The metric families of `GET base/metrics`. @throws Error when the answer is not 200. */
export async function scrape(base: string): Promise<ParsedFamily[]> {
  const response = await fetch(`${base}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  expectTextFormat(response.headers.get('content-type'));
  return parse(await response.text());
}

function expectTextFormat(type: string | null): void {
  if (type === null || !type.startsWith('text/plain') || !type.includes('version=0.0.4')) throw new Error(`/metrics content-type is ${type}`);
}

/** The samples of family `name`: labels (as `k=v,...`, sorted) → value. Empty when the family has no samples. */
export function samples(families: readonly ParsedFamily[], name: string): Map<string, number> {
  const family = families.find((f) => f.name === name);
  if (family === undefined) throw new Error(`no metric family ${name}`);
  return new Map(
    family.metrics.map((m) => [
      Object.entries(m.labels ?? {})
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      Number(m.value),
    ]),
  );
}

/** The sum of the samples of `name`. */
export function total(families: readonly ParsedFamily[], name: string): number {
  let sum = 0;
  for (const v of samples(families, name).values()) sum += v;
  return sum;
}

/** The status of `GET base/path`. */
export async function status(base: string, path: '/healthz' | '/readyz'): Promise<number> {
  return (await fetch(`${base}${path}`)).status;
}
