/*
 * The report's plots as plain inline SVG strings (no library, nothing fetched): horizontal bars with
 * an optional second, red series (checks and violations), and a line plot (a dot per sample while few) of one or two series over
 * a shared x axis (coverage growth, cases/s). Values are drawn as given; labels are escaped.
 */
import { escapeHtml } from '../../models/render/toDot.js';

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Drawn in red over the bar and written beside it (violations, 0 included); absent: no second series. */
  readonly alert?: number;
}

/** Bars scaled by log10(1 + value), so counts from 1 to millions share one plot; exact numbers are written beside. */
export function barChart(bars: readonly Bar[], options: { readonly id: string; readonly unit?: string } = { id: 'bars' }): string {
  const rowH = 18;
  const labelW = 230;
  const barW = 360;
  const width = labelW + barW + 150;
  const height = bars.length * rowH + 6;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const scale = (v: number) => (v <= 0 ? 0 : Math.max(1, (barW * Math.log10(1 + v)) / Math.log10(1 + max)));
  const rows = bars.map((b, i) => {
    const y = i * rowH + 3;
    const alert = b.alert ? `<rect class="alert" x="${labelW}" y="${y + 4}" width="${scale(b.alert).toFixed(1)}" height="${rowH - 12}" fill="#d62728"/>` : '';
    const text = `${b.value}${options.unit ?? ''}${b.alert === undefined ? '' : ` / ${b.alert} violated`}`;
    return `<g class="bar" data-label="${escapeHtml(b.label)}"><text x="${labelW - 6}" y="${y + rowH - 6}" text-anchor="end">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelW}" y="${y}" width="${scale(b.value).toFixed(1)}" height="${rowH - 4}" fill="${b.alert ? '#f4a3a3' : '#7fa7d9'}"/>${alert}` +
      `<text x="${labelW + scale(b.value) + 6}" y="${y + rowH - 6}" class="${b.alert ? 'bad' : ''}">${escapeHtml(text)}</text></g>`;
  });
  return `<svg id="${escapeHtml(options.id)}" class="plot" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="12">${rows.join('')}</svg>`;
}

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
}

/**
 * A line plot: x from 0 to the largest x, each series on its own y scale (left: first, right:
 * second), from 0 or (`fromMin`) from the series' smallest value, so small late gains stay visible.
 */
export function linePlot(series: readonly Series[], options: { readonly id: string; readonly xLabel: string; readonly fromMin?: boolean }): string {
  const w = 620;
  const h = 220;
  const pad = { l: 56, r: 56, t: 14, b: 36 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const xMax = Math.max(1, ...xs);
  const parts: string[] = [`<line x1="${pad.l}" y1="${h - pad.b}" x2="${w - pad.r}" y2="${h - pad.b}" stroke="#888"/>`];
  parts.push(`<text x="${(w / 2).toFixed(0)}" y="${h - 6}" text-anchor="middle">${escapeHtml(options.xLabel)} (0 to ${xMax})</text>`);
  series.forEach((s, i) => {
    const yMin = options.fromMin ? Math.min(...s.points.map((p) => p[1])) : 0;
    const top = Math.max(yMin, ...s.points.map((p) => p[1]));
    /* A flat series keeps a scale of one unit (drawn at the bottom) and is labelled with its value. */
    const yMax = top > yMin ? top : yMin + 1;
    const x = (v: number) => pad.l + ((w - pad.l - pad.r) * v) / xMax;
    const y = (v: number) => h - pad.b - ((h - pad.t - pad.b) * (v - yMin)) / (yMax - yMin);
    const path = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const axisX = i === 0 ? pad.l : w - pad.r;
    parts.push(`<line x1="${axisX}" y1="${pad.t}" x2="${axisX}" y2="${h - pad.b}" stroke="${s.color}"/>`);
    parts.push(`<text x="${i === 0 ? axisX - 4 : axisX + 4}" y="${pad.t + 10}" text-anchor="${i === 0 ? 'end' : 'start'}" fill="${s.color}">${formatNumber(top)}</text>`);
    parts.push(`<text x="${i === 0 ? axisX - 4 : axisX + 4}" y="${h - pad.b}" text-anchor="${i === 0 ? 'end' : 'start'}" fill="${s.color}">${formatNumber(yMin)}</text>`);
    parts.push(`<path class="series" data-series="${escapeHtml(s.name)}" d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    /* A dot per sample while they are few, so one sample (a one-case campaign) is still drawn. */
    if (s.points.length <= 60) parts.push(...s.points.map((p) => `<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2.5" fill="${s.color}"/>`));
    parts.push(`<text x="${pad.l + 8 + i * 220}" y="${pad.t + 12}" fill="${s.color}">${escapeHtml(s.name)}</text>`);
  });
  return `<svg id="${escapeHtml(options.id)}" class="plot" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-size="12">${parts.join('')}</svg>`;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
