/*
 * The formats a chart renders to, apart from the renderer itself, so naming them (in `colosim
 * chart`'s options) does not load Graphviz and the path search at every start of the CLI.
 */
export type ChartFormat = 'svg' | 'dot' | 'mermaid' | 'html';
export const CHART_FORMATS: readonly ChartFormat[] = ['svg', 'dot', 'mermaid', 'html'];
