/*
 * DOT to SVG in-process with @viz-js/viz (Graphviz compiled to WebAssembly): no system package, no
 * network. The WebAssembly instance is created once and reused. Graphviz warnings are returned,
 * errors throw.
 */
import { type Viz, instance } from '@viz-js/viz';

let vizInstance: Promise<Viz> | undefined;

export interface SvgResult {
  readonly svg: string;
  readonly warnings: readonly string[];
}

export async function dotToSvg(dot: string): Promise<SvgResult> {
  vizInstance ??= instance();
  const viz = await vizInstance;
  const result = viz.render(dot, { format: 'svg' });
  if (result.status !== 'success') throw new Error(`graphviz: ${result.errors.map((e) => e.message).join('; ')}`);
  return { svg: result.output, warnings: result.errors.map((e) => e.message) };
}
