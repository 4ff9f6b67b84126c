/**
 * The scaling chart of the peer benchmarks (workload 6): throughput and peak RSS of each engine
 * against the number of keys and against `within`, four panels side by side, rendered headless
 * to SVG with Vega (`View.toSVG()`, no browser or canvas needed).
 */
import { parse, View, type Spec } from 'vega';

/** One measured point of a scaling series. */
export interface ScalingPoint {
  readonly series: 'keys' | 'within';
  /** Keys, or `within` in ms. */
  readonly x: number;
  readonly engine: string;
  readonly eventsPerSecond: number;
  readonly peakRssMb: number;
}

const PANEL_WIDTH = 260;
const PANEL_HEIGHT = 200;

/** One panel: `field` of the points of `series`, lines per engine, log-scaled x. */
function panel(series: ScalingPoint['series'], field: 'eventsPerSecond' | 'peakRssMb', title: string, xTitle: string, column: number): Record<string, unknown> {
  const data = `${series}-${field}`;
  return {
    type: 'group',
    encode: { enter: { x: { value: column * (PANEL_WIDTH + 70) }, width: { value: PANEL_WIDTH }, height: { value: PANEL_HEIGHT } } },
    title: { text: title, fontSize: 12 },
    scales: [
      { name: 'x', type: 'log', domain: { data, field: 'x' }, range: [0, PANEL_WIDTH], nice: false, zero: false },
      { name: 'y', type: 'linear', domain: { data, field }, range: [PANEL_HEIGHT, 0], nice: true, zero: true },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: xTitle, format: '~s', grid: true, tickCount: 5 },
      { orient: 'left', scale: 'y', format: '~s', grid: true },
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { name: `${data}-by-engine`, data, groupby: 'engine' } },
        marks: [
          {
            type: 'line',
            from: { data: `${data}-by-engine` },
            encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field }, stroke: { scale: 'color', field: 'engine' }, strokeWidth: { value: 2 } } },
          },
          {
            type: 'symbol',
            from: { data: `${data}-by-engine` },
            encode: { enter: { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field }, fill: { scale: 'color', field: 'engine' }, size: { value: 30 } } },
          },
        ],
      },
    ],
  };
}

/**
 * Renders the chart of the given points to an SVG document (a string).
 * @throws Error when Vega cannot render (a bad spec is a bug of ours).
 */
export async function scalingChartSvg(points: readonly ScalingPoint[], subtitle: string): Promise<string> {
  const datasets = [];
  for (const series of ['keys', 'within'] as const) {
    for (const field of ['eventsPerSecond', 'peakRssMb'] as const) {
      datasets.push({
        name: `${series}-${field}`,
        values: points.filter((p) => p.series === series && p[field] > 0).map((p) => ({ x: p.x, engine: p.engine, [field]: p[field] })),
      });
    }
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega/v5.json',
    width: 4 * PANEL_WIDTH + 3 * 70,
    height: PANEL_HEIGHT,
    padding: 20,
    background: 'white',
    title: { text: 'a -> b: throughput and peak memory as keys and within grow', subtitle, fontSize: 14 },
    data: datasets,
    scales: [{ name: 'color', type: 'ordinal', domain: ['ours', 'flink', 'esper'], range: ['#d62728', '#1f77b4', '#2ca02c'] }],
    legends: [{ fill: 'color', title: 'engine', orient: 'right', offset: 60 }],
    marks: [
      panel('keys', 'eventsPerSecond', 'events/s vs keys (within 10s)', 'keys', 0),
      panel('keys', 'peakRssMb', 'peak RSS (MiB) vs keys', 'keys', 1),
      panel('within', 'eventsPerSecond', 'events/s vs within (10,000 keys)', 'within (ms)', 2),
      panel('within', 'peakRssMb', 'peak RSS (MiB) vs within', 'within (ms)', 3),
    ],
  } as unknown as Spec;
  const view = new View(parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
