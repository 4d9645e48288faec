// One database: its verdict, the strip with its days, the trends large, retention, the other sections, and every
// history record in the window.
import type { Detail } from './api';
import { sparkline, strip } from './charts';
import { el } from './dom';
import { bytes, day, duration, time } from './format';
import { badge, lastGood, retention } from './fleet-view';
import { sectionCell, sections } from './sections';

export function detailView(d: Detail, back: () => void): HTMLElement {
  const r = d.database;
  const close = el('button', { type: 'button', class: 'back' }, '← All databases');
  close.addEventListener('click', back);
  const facts: [string, Node | string][] = [
    ['State', badge(r.state)],
    ['Last good backup', lastGood(r)],
    ['Successes in a row', String(r.consecutiveSuccesses)],
    ['Last failure', r.lastFailure ? `${r.lastFailure.code} at ${time(r.lastFailure.at)}: ${r.lastFailure.message}` : '—'],
    ['Retention', retention(r.retention)],
    ['Tags', Object.entries(r.tags).map(([k, v]) => `${k}=${v}`).join(', ') || '—'],
    ...sections.map((s): [string, Node] => [s.title, sectionCell(s, r)]),
  ];
  const cols = ['Requested', 'Trigger', 'State', 'Job', 'Backup set', 'Size', 'Duration', 'Finished', 'Error', 'Key'];
  return el(
    'article',
    { class: 'detail', 'aria-labelledby': 'detail-title', 'data-db': `${r.product}:${r.instanceId}` },
    close,
    el('h2', { id: 'detail-title', tabindex: '-1' }, `${r.product} ${r.instanceId}`),
    el('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('h3', {}, `Last ${d.days.length} days`, el('span', { class: 'muted' }, ` (${day(d.days[0] ?? '')} – ${day(d.days.at(-1) ?? '')}, ${d.timeZone})`)),
    strip(r.strip, d.days, true),
    el('div', { class: 'trends' }, el('div', {}, el('h3', {}, 'Size'), sparkline(r.sizes, 'Size', bytes, true)), el('div', {}, el('h3', {}, 'Duration'), sparkline(r.durations, 'Duration', duration, true))),
    el('h3', {}, `History (${d.records.length} records)`),
    el(
      'div',
      { class: 'scroll' },
      el(
        'table',
        { class: 'records' },
        el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col' }, c)))),
        el(
          'tbody',
          {},
          ...d.records.map((h) =>
            el(
              'tr',
              { 'data-state': h.state },
              el('td', {}, time(h.requestedAt)),
              el('td', {}, h.trigger + (h.deployId ? ` ${h.deployId}` : '') + (h.requestedBy ? ` (${h.requestedBy})` : '')),
              el('td', {}, h.state + (h.retired ? ' · deleted by retention' : '')),
              el('td', { class: 'mono' }, h.jobId ?? '—'),
              el('td', { class: 'mono' }, h.backupId ?? '—'),
              el('td', {}, bytes(h.sizeBytes)),
              el('td', {}, duration(h.durationMs)),
              el('td', {}, h.finishedAt ? time(h.finishedAt) : '—'),
              el('td', {}, h.error ? `${h.error.code}: ${h.error.message}` : '—'),
              el('td', { class: 'mono key' }, h.key),
            ),
          ),
        ),
      ),
    ),
  );
}
