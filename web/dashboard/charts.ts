// The two pictures of a row: the calendar strip (one cell per day, its outcome as a class with a pattern and a
// title) and a sparkline (an SVG polyline, read aloud as its latest value and its ratio to the median).
import { el, svg } from './dom';
import { day } from './format';
import { outcomeInfo } from './states';

export function strip(outcomes: string, days: readonly string[], large = false): HTMLElement {
  const counts = new Map<string, number>();
  const failedDays: string[] = [];
  const cells = [...outcomes].map((o, i) => {
    const d = days[i] ?? '';
    const info = outcomeInfo[o] ?? { label: o, cls: 'd-n' };
    counts.set(o, (counts.get(o) ?? 0) + 1);
    if (o === 'f') failedDays.push(d);
    return el('span', { class: `d ${info.cls}`, 'data-day': d, 'data-outcome': info.label.split(':')[0], title: `${day(d)}: ${info.label}` });
  });
  const said = ['s', 'f', 'a', 'm', 'r']
    .filter((o) => counts.has(o))
    .map((o) => `${counts.get(o)} ${outcomeInfo[o]?.label.split(':')[0]}${o === 'f' ? ` (${failedDays.map(day).join(', ')})` : ''}`);
  return el('div', { class: `strip${large ? ' strip-large' : ''}`, role: 'img', 'aria-label': `Last ${days.length} days: ${said.join(', ') || 'no backups'}` }, ...cells);
}

/** Latest value against the median of the window: "2.1× median" is the line to read first. */
export function trend(values: readonly (number | null)[]): { latest: number | null; ratio: number | null } {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const latest = known.at(-1) ?? null;
  if (latest === null || known.length < 3) return { latest, ratio: null };
  const sorted = [...known].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  return { latest, ratio: median > 0 ? latest / median : null };
}

export function sparkline(values: readonly (number | null)[], label: string, show: (n: number | null) => string, large = false): HTMLElement {
  const w = large ? 280 : 72;
  const h = large ? 48 : 18;
  const known = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  const max = Math.max(1, ...known.map(([, v]) => v));
  const min = Math.min(...known.map(([, v]) => v), max);
  const x = (i: number) => ((i / Math.max(1, values.length - 1)) * (w - 4) + 2).toFixed(1);
  const y = (v: number) => (h - 2 - ((v - min) / Math.max(1, max - min)) * (h - 4)).toFixed(1);
  const points = known.map(([i, v]) => `${x(i)},${y(v)}`).join(' ');
  const { latest, ratio } = trend(values);
  const flagged = ratio !== null && ratio >= 1.5;
  const ratioText = ratio === null ? '' : `${ratio.toFixed(1)}× median`;
  const chart = svg(
    'svg',
    { width: w, height: h, viewBox: `0 0 ${w} ${h}`, 'aria-hidden': 'true', class: 'spark' },
    known.length > 1 ? svg('polyline', { points, fill: 'none', stroke: 'currentColor', 'stroke-width': large ? 2 : 1.5 }) : null,
    ...known.slice(-1).map(([i, v]) => svg('circle', { cx: x(i), cy: y(v), r: large ? 3 : 2, fill: 'currentColor' })),
  );
  return el(
    'div',
    { class: `trend${flagged ? ' trend-up' : ''}`, 'aria-label': `${label}: ${show(latest)}${ratioText ? `, ${ratioText}` : ''}` },
    chart,
    el('span', { class: 'trend-value' }, show(latest)),
    ratioText ? el('span', { class: 'trend-ratio' }, flagged ? `▲ ${ratioText}` : ratioText) : null,
  );
}
