// One database: its verdict, the strip with its days, the trends large, retention, the other sections, and every
// history record in the window.
import type { Detail, DrillRow, DrillSummary } from './api';
import { sparkline, strip } from './charts';
import { el } from './dom';
import { bytes, day, duration, time } from './format';
import { badge, lastGood, retention } from './fleet-view';
import { drillBadge, sectionCell, sections } from './sections';
import { drillState } from './states';

/** Every drill of the database the server read, newest first, with its recovery-time trend over 90 days. */
function drills(list: readonly DrillRow[], summary: DrillSummary | undefined): HTMLElement[] {
  if (list.length === 0) return [el('h3', {}, 'Restore drills'), el('p', { class: 'muted drills-none' }, 'Not yet drilled: no restore drill recorded for this database.')];
  const cols = ['Requested', 'Drill', 'Backup set', 'Phase', 'Verdict', 'Recovery time', 'Lifetime', 'Error'];
  const parts: (HTMLElement | null)[] = [
    el('h3', {}, `Restore drills (${list.length})`),
    summary && summary.recovery.length > 0 ? el('div', { class: 'trends' }, el('div', {}, el('h4', {}, 'Recovery time, last 90 days'), sparkline(summary.recovery.map((p) => p.ms), 'Recovery time', duration, true))) : null,
    el(
      'div',
      { class: 'scroll' },
      el(
        'table',
        { class: 'records drills' },
        el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col' }, c)))),
        el(
          'tbody',
          {},
          ...list.map((x) =>
            el(
              'tr',
              { 'data-drill': x.drillId, 'data-verdict': drillState(x) },
              el('td', {}, time(x.requestedAt) + ` · ${x.trigger}` + (x.requestedBy ? ` (${x.requestedBy})` : '')),
              el('td', { class: 'mono key', title: x.drillId }, x.drillId),
              el('td', { class: 'mono' }, x.backupId),
              el('td', {}, x.phase),
              el('td', { title: x.verdictMessage ?? '' }, drillBadge(drillState(x))),
              el('td', {}, duration(x.recoveryMs)),
              el('td', {}, duration(x.lifetimeMs)),
              el('td', {}, x.error ? `${x.error.code}: ${x.error.message}` : '—'),
            ),
          ),
        ),
      ),
    ),
  ];
  return parts.filter((n): n is HTMLElement => n !== null);
}

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
    ...(d.drills ? drills(d.drills, r.drill as DrillSummary | undefined) : []),
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
