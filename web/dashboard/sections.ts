// What the other capabilities record per database — restore points, restore drills, posture — read from the report
// model's fields when they are there. A field that is absent is shown as "not recorded yet", never as good.
import type { DrillSummary, RestoreTested, Row } from './api';
import { sparkline } from './charts';
import { el } from './dom';
import { duration, time } from './format';
import { drillInfo, drillState, type DrillState } from './states';

export interface Section {
  key: string;
  title: string;
  /** The cell for a row; undefined when the row carries nothing for this section. */
  cell(row: Row): HTMLElement | undefined;
}

const notYet = () => el('span', { class: 'muted' }, 'not recorded yet');

interface Posture {
  verdict: 'ok' | 'failing' | 'not-applicable' | 'no-rules' | 'unknown';
  rules: { rule: string; status: string; expected: string; actual: string }[];
  checkedAt: string;
  error?: { code: string; message: string };
}

interface RestorePoints {
  count: number;
  oldest?: string;
  newest?: string;
  countedAt: string;
}

/** The restore-point watch's last count (issue 16): every good backup in the cloud, and the oldest. */
function restorePoints(row: Row): HTMLElement | undefined {
  const p = row.restorePoints as RestorePoints | null | undefined;
  if (!p) return undefined;
  return el(
    'div',
    {},
    el('div', {}, `${p.count} restore point${p.count === 1 ? '' : 's'}`),
    el('div', { class: 'muted' }, `${p.oldest ? `oldest ${p.oldest.slice(0, 10)} · ` : ''}counted ${p.countedAt.replace('T', ' ').slice(0, 16)} UTC`),
  );
}

/** The report model's `posture` (issue 19): the verdict with its icon, each failing rule with expected and actual. */
function posture(row: Row): HTMLElement | undefined {
  const p = row.posture as Posture | null | undefined;
  if (!p) return undefined;
  const failing = p.rules.filter((r) => r.status === 'failing');
  const head: Record<Posture['verdict'], string> = { ok: '✓ ok', failing: `✕ ${failing.length} failing`, 'not-applicable': '– not applicable', 'no-rules': '– no rules', unknown: '? unreadable' };
  return el(
    'div',
    { class: `posture posture-${p.verdict}` },
    el('div', {}, head[p.verdict]),
    ...failing.map((r) => el('div', { class: 'muted', title: `expected ${r.expected}; is ${r.actual}` }, `${r.rule}: ${r.actual}`)),
    p.error ? el('div', { class: 'muted' }, p.error.message) : null,
  );
}

/** A drill state as a word with its icon (and the state's colour and shape), never colour alone. */
export const drillBadge = (s: DrillState) => el('span', { class: `dbadge dr-${s}`, title: drillInfo[s].help }, el('span', { class: 'icon', 'aria-hidden': 'true' }, drillInfo[s].icon), ` ${drillInfo[s].label}`);

/**
 * Restore drills (issue 18): the newest drill's verdict with its icon, how long ago it was tested and how fast it
 * came back, and the recovery times of the last 90 days as a sparkline. A database the drills never reached says so.
 */
function drill(row: Row): HTMLElement | undefined {
  const d = row.drill as DrillSummary | undefined;
  if (!d) return undefined;
  const last = d.last;
  const state = drillState(last);
  if (!last) return el('div', { class: 'drill', 'data-verdict': state }, el('span', { class: 'muted' }, drillBadge(state)));
  const tested = row.restoreTested as RestoreTested | null | undefined;
  const when = last.readyAt ? `tested ${duration(last.ageMs)} ago` : `requested ${duration(last.ageMs)} ago`;
  return el(
    'div',
    { class: 'drill', 'data-verdict': state, 'data-drill': last.drillId },
    el('div', {}, drillBadge(state)),
    el('div', { class: 'muted drill-when', title: last.readyAt ? `ready ${time(last.readyAt)}` : `requested ${time(last.requestedAt)}` }, `${when}${last.recoveryMs !== null ? ` · recovered in ${duration(last.recoveryMs)}` : ''}`),
    last.phase === 'release-failed' ? el('div', { class: 'failure' }, '✕ release failed: the temporary instance is still there') : null,
    last.error && last.verdict !== 'passed' ? el('div', { class: 'muted', title: last.error.message }, last.error.code) : null,
    // A drill running now hides no earlier test: the last one that got an instance, with its verdict.
    state === 'open' && tested ? el('div', { class: 'muted' }, `last tested ${time(tested.testedAt)}: ${tested.verdict ?? 'no verdict'}`) : null,
    d.recovery.length > 0 ? sparkline(d.recovery.map((p) => p.ms), 'Recovery time', duration) : null,
  );
}

export const sections: Section[] = [
  { key: 'restorePoints', title: 'Restore points', cell: restorePoints },
  { key: 'drill', title: 'Restore drills', cell: drill },
  { key: 'posture', title: 'Posture', cell: posture },
];

export const sectionCell = (s: Section, row: Row): HTMLElement => s.cell(row) ?? notYet();
