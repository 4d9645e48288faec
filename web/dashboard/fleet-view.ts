// The fleet: the counts (each a state filter), the filters and search, the legend, one row per database, the pager.
import type { FleetPage, Row, State } from './api';
import { sparkline, strip } from './charts';
import { el } from './dom';
import { bytes, duration, time } from './format';
import { sectionCell, sections, type Section } from './sections';
import { legendOrder, outcomeInfo, stateInfo, states } from './states';

export interface Filters {
  product?: string;
  state?: string;
  tag?: string;
  q?: string;
  page?: string;
}

export interface FleetHandlers {
  filter(next: Filters): void;
  open(row: Row): void;
}

export const badge = (s: State) => el('span', { class: `badge s-${s}`, title: stateInfo[s].help }, el('span', { class: 'icon', 'aria-hidden': 'true' }, stateInfo[s].icon), ` ${stateInfo[s].label}`);

function summary(p: FleetPage, f: Filters, h: FleetHandlers): HTMLElement {
  return el(
    'section',
    { class: 'summary', 'aria-label': 'Fleet summary' },
    el('p', { class: 'total' }, el('strong', {}, String(p.summary.total)), ' databases'),
    ...states.map((s) => {
      const pressed = f.state === s;
      const b = el('button', { type: 'button', class: `count s-${s}`, 'aria-pressed': String(pressed), 'data-state': s, title: `Show only ${stateInfo[s].label.toLowerCase()}: ${stateInfo[s].help}` }, el('span', { class: 'icon', 'aria-hidden': 'true' }, stateInfo[s].icon), el('strong', {}, String(p.summary[s])), ` ${stateInfo[s].label}`);
      b.addEventListener('click', () => h.filter({ ...f, state: pressed ? undefined : s, page: undefined }));
      return b;
    }),
  );
}

function select(name: string, label: string, options: string[], value: string | undefined, onChange: (v: string | undefined) => void): HTMLElement {
  const s = el('select', { id: `f-${name}`, name }, el('option', { value: '' }, 'all'), ...options.map((o) => el('option', { value: o, selected: o === value }, o)));
  s.addEventListener('change', () => onChange(s.value === '' ? undefined : s.value));
  return el('label', { for: `f-${name}` }, `${label} `, s);
}

// One search box for the page's life: a render while someone types must not replace it (and lose what was typed).
let searchBox: HTMLInputElement | undefined;
let onSearch: (q: string | undefined) => void = () => undefined;

function searchInput(value: string | undefined): HTMLInputElement {
  if (!searchBox) {
    const box = el('input', { id: 'f-q', type: 'search', name: 'q', placeholder: 'instance, job, backup, deploy id or key', autocomplete: 'off', spellcheck: 'false' });
    let timer: number | undefined;
    box.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => onSearch(box.value.trim() || undefined), 300);
    });
    box.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      window.clearTimeout(timer);
      onSearch(box.value.trim() || undefined);
    });
    searchBox = box;
  }
  if (document.activeElement !== searchBox) searchBox.value = value ?? '';
  return searchBox;
}

function filters(p: FleetPage, f: Filters, h: FleetHandlers): HTMLElement {
  onSearch = (q) => {
    if (q !== f.q) h.filter({ ...f, q, page: undefined });
  };
  const search = searchInput(f.q);
  const clear = el('button', { type: 'button', class: 'link' }, 'Clear filters');
  clear.addEventListener('click', () => h.filter({}));
  return el(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the databases' },
    select('product', 'Product', p.facets.products, f.product, (v) => h.filter({ ...f, product: v, page: undefined })),
    select('tag', 'Tag', p.facets.tags, f.tag, (v) => h.filter({ ...f, tag: v, page: undefined })),
    select('state', 'State', states, f.state, (v) => h.filter({ ...f, state: v, page: undefined })),
    el('label', { for: 'f-q', class: 'grow' }, 'Search ', search),
    clear,
  );
}

const legend = () =>
  el(
    'p',
    { class: 'legend', 'aria-label': 'Legend of the calendar strip' },
    ...legendOrder.map((o) => el('span', { class: 'legend-item' }, el('span', { class: `d ${outcomeInfo[o]?.cls}`, 'aria-hidden': 'true' }), ` ${outcomeInfo[o]?.label.split(':')[0]}`)),
  );

export function retention(r: Row['retention']): HTMLElement {
  if (!r) return el('span', { class: 'muted' }, '—');
  const next = r.nextDeletion === undefined ? 'never' : /^\d{4}-/.test(r.nextDeletion) ? time(r.nextDeletion) : r.nextDeletion;
  return el('div', {}, el('div', {}, `${r.retained.length} kept · ${r.deleted.length} deleted`), el('div', { class: 'muted' }, `next deletion: ${next}`));
}

export function lastGood(r: Row): HTMLElement {
  return el('div', {}, el('div', {}, r.lastGoodAt ? time(r.lastGoodAt) : 'never'), el('div', { class: 'muted' }, r.ageMs === null ? 'no good backup' : `${duration(r.ageMs)} ago`));
}

function row(r: Row, days: string[], h: FleetHandlers, shown: readonly Section[]): HTMLElement {
  const name = el('button', { type: 'button', class: 'db-name', title: `Open ${r.product} ${r.instanceId}` }, r.instanceId);
  name.addEventListener('click', () => h.open(r));
  const tags = Object.entries(r.tags).map(([k, v]) => el('span', { class: 'tag' }, `${k}=${v}`));
  return el(
    'tr',
    { 'data-db': `${r.product}:${r.instanceId}`, 'data-state': r.state },
    el('td', { 'data-label': 'State' }, badge(r.state), r.running && r.state !== 'running' ? el('div', { class: 'muted' }, '↻ running now') : null),
    el('td', { 'data-label': 'Database' }, el('span', { class: 'product' }, r.product), ' ', name, tags.length ? el('div', { class: 'tags' }, ...tags) : null, r.lastFailure && r.state === 'failed' ? el('div', { class: 'failure' }, `${r.lastFailure.code} · ${time(r.lastFailure.at)}`) : null),
    el('td', { 'data-label': `Last ${days.length} days` }, strip(r.strip, days)),
    el('td', { 'data-label': 'Last good', class: 'nowrap' }, lastGood(r)),
    el('td', { 'data-label': 'Size' }, sparkline(r.sizes, 'Size', bytes)),
    el('td', { 'data-label': 'Duration' }, sparkline(r.durations, 'Duration', duration)),
    el('td', { 'data-label': 'Retention' }, retention(r.retention)),
    ...shown.map((s) => el('td', { 'data-label': s.title, 'data-section': s.key }, sectionCell(s, r))),
  );
}

function pager(p: FleetPage, f: Filters, h: FleetHandlers): HTMLElement {
  const go = (page: number) => () => h.filter({ ...f, page: String(page) });
  const prev = el('button', { type: 'button', disabled: p.page <= 1 }, '← Previous');
  const next = el('button', { type: 'button', disabled: p.page >= p.pages }, 'Next →');
  prev.addEventListener('click', go(p.page - 1));
  next.addEventListener('click', go(p.page + 1));
  return el('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, el('span', { 'aria-live': 'polite' }, `Page ${p.page} of ${p.pages} · ${p.matching} of ${p.summary.total} databases`), next);
}

export function fleetView(p: FleetPage, f: Filters, h: FleetHandlers): HTMLElement {
  // A section no database on this page has recorded is one line above the table, not a column of blanks.
  const shown = sections.filter((s) => p.databases.some((r) => s.cell(r) !== undefined));
  const missing = sections.filter((s) => !shown.includes(s));
  const head = ['State', 'Database', `Last ${p.days.length} days`, 'Last good', 'Size', 'Duration', 'Retention', ...shown.map((s) => s.title)];
  const body =
    p.databases.length > 0
      ? p.databases.map((r) => row(r, p.days, h, shown))
      : [el('tr', {}, el('td', { colspan: head.length, class: 'empty' }, p.summary.total === 0 ? 'No database has a backup history yet.' : 'No database matches these filters.'))];
  return el(
    'div',
    { class: 'fleet' },
    summary(p, f, h),
    filters(p, f, h),
    ...p.warnings.map((w) => el('p', { class: 'warning', role: 'note' }, `⚠ ${w}`)),
    legend(),
    missing.length > 0 && p.databases.length > 0 ? el('p', { class: 'muted not-recorded', 'data-sections': missing.map((s) => s.key).join(' ') }, `${missing.map((s) => s.title).join(', ')}: not recorded yet for these databases.`) : null,
    el('table', { class: 'rows', id: 'fleet' }, el('caption', { class: 'sr-only' }, 'Databases, problems first'), el('thead', {}, el('tr', {}, ...head.map((t) => el('th', { scope: 'col' }, t)))), el('tbody', {}, ...body)),
    pager(p, f, h),
  );
}
