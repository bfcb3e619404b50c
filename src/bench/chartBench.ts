/* Chart figures: the time to render every chart to SVG, and the whole HTML page, in-process. */
import { MODEL_NAMES } from '../../models/paths/modelCatalog.js';
import { renderChart } from '../../models/render/renderChart.js';
import type { BenchRow } from './report.js';

export async function chartBench(): Promise<BenchRow[]> {
  await renderChart({ machine: 'node', profile: 'qemu-7.2', format: 'svg' });
  let start = performance.now();
  for (const machine of MODEL_NAMES) await renderChart({ machine, profile: 'qemu-7.2', format: 'svg' });
  const svgMs = performance.now() - start;
  start = performance.now();
  await renderChart({ profile: 'qemu-7.2', format: 'html' });
  const htmlMs = performance.now() - start;
  return [
    { part: 'charts', name: `all ${MODEL_NAMES.length} charts to SVG`, value: svgMs, unit: 'ms' },
    { part: 'charts', name: 'the HTML page with every chart', value: htmlMs, unit: 'ms' },
  ];
}
