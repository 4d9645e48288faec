// The report's posture parts, shared by its renderings: the POSTURE cell, the failing rules per database, the verdict.
import type { DatabasePosture } from '../posture/assess';
import type { DatabaseReport, Report } from './report';

export function postureCell(p: DatabasePosture | null | undefined): string {
  if (!p || p.verdict === 'no-rules') return '—';
  if (p.verdict === 'failing') return `FAIL ${p.rules.filter((r) => r.status === 'failing').length}`;
  return p.verdict === 'ok' ? 'ok' : p.verdict === 'unknown' ? '?' : 'n/a';
}

/** red for a failing database, yellow for one whose settings could not be read. */
export const postureColour = (p: DatabasePosture | null | undefined): number | undefined =>
  p?.verdict === 'failing' ? 31 : p?.verdict === 'unknown' ? 33 : undefined;

/** What to act on, one line per failing rule (or why the settings could not be read); undefined when nothing. */
export function postureProblems(d: Pick<DatabaseReport, 'product' | 'instanceId' | 'posture'>): { subject: string; items: string[] } | undefined {
  const p = d.posture;
  const subject = `${d.product} ${d.instanceId}`;
  if (p?.verdict === 'unknown') return { subject, items: [`settings not read: ${p.error?.message ?? 'unknown error'}`] };
  if (p?.verdict !== 'failing') return undefined;
  return { subject, items: p.rules.filter((r) => r.status === 'failing').map((r) => `${r.rule}: ${r.expected}; found ${r.actual}`) };
}

/** The posture verdict line, or nothing when posture was not asked for or no rule applies anywhere. */
export function postureVerdict(r: Report): string | undefined {
  if (r.postureOk === null || r.postureOk === undefined) return undefined;
  const checked = r.databases.filter((d) => d.posture && d.posture.verdict !== 'no-rules');
  if (checked.length === 0) return 'Backup settings: no POSTURE_RULES rule applies to these databases.';
  const bad = checked.filter((d) => postureProblems(d) !== undefined).length;
  return bad === 0
    ? `Backup settings: all ${checked.length} databases checked hold their POSTURE_RULES rules.`
    : `Backup settings: ${bad} of ${checked.length} databases break a POSTURE_RULES rule or could not be read:`;
}
