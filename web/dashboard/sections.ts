// What the other capabilities record per database — restore points, restore drills, posture — read from the report
// model's fields when they are there. A field that is absent is shown as "not recorded yet", never as good.
import type { Row } from './api';
import { el } from './dom';

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

export const sections: Section[] = [
  { key: 'restorePoints', title: 'Restore points', cell: restorePoints },
  { key: 'drill', title: 'Restore drills', cell: () => undefined },
  { key: 'posture', title: 'Posture', cell: posture },
];

export const sectionCell = (s: Section, row: Row): HTMLElement => s.cell(row) ?? notYet();
