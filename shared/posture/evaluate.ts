// One database's settings against its rules: per rule ok, failing or not applicable, each with what was expected and
// what the settings say (in the API's own field names), which is what the report, the alerts and the fix plan show.
import { keepsAtLeast, keepsOnRelease, showDays, type Aspect, type PolicyView } from './policy';
import type { RuleSet } from './rules';

export type RuleName = 'minRetentionDays' | 'requireLogBackup' | 'minLogRetentionDays' | 'minBackupsPerWeek' | 'requireCrossRegion' | 'keepBackupsOnRelease';

export type RuleStatus = 'ok' | 'failing' | 'not-applicable';

export interface RuleResult {
  rule: RuleName;
  status: RuleStatus;
  /** What the rule asks, in words: "at least 30 days". */
  expected: string;
  /** What the settings say, with the field it was read from: "7 days (BackupRetentionPeriod 7)". */
  actual: string;
}

/** failing: a rule fails; ok: none fails and one holds; not-applicable: every rule is; no-rules: none configured. */
export type PostureVerdict = 'ok' | 'failing' | 'not-applicable' | 'no-rules';

export function verdictOf(results: readonly RuleResult[]): PostureVerdict {
  if (results.length === 0) return 'no-rules';
  if (results.some((r) => r.status === 'failing')) return 'failing';
  return results.some((r) => r.status === 'ok') ? 'ok' : 'not-applicable';
}

const withSource = (what: string, source: string | undefined) => (source ? `${what} (${source})` : what);

export function evaluate(view: PolicyView, rules: RuleSet): RuleResult[] {
  const out: RuleResult[] = [];
  const check = (rule: RuleName, aspect: Aspect, expected: string, judge: () => { ok: boolean; actual: string } | undefined) => {
    const seen = view.unsupported === undefined ? judge() : undefined;
    if (seen === undefined) {
      out.push({ rule, status: 'not-applicable', expected, actual: view.unsupported ?? view.source[aspect] ?? 'the product has no such setting' });
      return;
    }
    out.push({ rule, status: seen.ok ? 'ok' : 'failing', expected, actual: withSource(seen.actual, view.source[aspect]) });
  };

  const minDays = rules.minRetentionDays;
  if (minDays !== undefined) {
    check('minRetentionDays', 'retentionDays', `at least ${showDays(minDays)}`, () =>
      view.retentionDays === undefined ? undefined : { ok: keepsAtLeast(view.retentionDays, minDays), actual: showDays(view.retentionDays) },
    );
  }

  const log = rules.requireLogBackup;
  if (log !== undefined && log !== false) {
    check('requireLogBackup', 'logBackup', 'log backup on', () => (view.logBackup === undefined ? undefined : { ok: view.logBackup, actual: view.logBackup ? 'on' : 'off' }));
    const minLog = typeof log === 'object' ? log.minRetentionDays : undefined;
    if (minLog !== undefined) {
      check('minLogRetentionDays', 'logRetentionDays', `log backups kept at least ${showDays(minLog)}`, () => {
        if (view.logBackup === false) return { ok: false, actual: 'log backup off' };
        return view.logRetentionDays === undefined ? undefined : { ok: keepsAtLeast(view.logRetentionDays, minLog), actual: showDays(view.logRetentionDays) };
      });
    }
  }

  const perWeek = rules.minBackupsPerWeek;
  if (perWeek !== undefined) {
    check('minBackupsPerWeek', 'backupsPerWeek', `at least ${perWeek} backups a week`, () =>
      view.backupsPerWeek === undefined ? undefined : { ok: view.backupsPerWeek >= perWeek, actual: `${view.backupsPerWeek} a week` },
    );
  }

  const cross = rules.requireCrossRegion;
  if (cross !== undefined && cross !== false) {
    const regions = typeof cross === 'object' ? cross.regions : undefined;
    check('requireCrossRegion', 'crossRegion', regions ? `cross-region copies in ${regions.join(' or ')}` : 'cross-region copies on', () => {
      const c = view.crossRegion;
      if (c === undefined) return undefined;
      if (!c.enabled) return { ok: false, actual: 'off' };
      return { ok: regions === undefined || (c.region !== undefined && regions.includes(c.region)), actual: `on, to ${c.region ?? 'an unnamed region'}` };
    });
  }

  const keep = rules.keepBackupsOnRelease;
  if (keep !== undefined && keep !== false) {
    const want = keep === 'all' ? 'all' : 'latest';
    check('keepBackupsOnRelease', 'keepOnRelease', want === 'all' ? 'every backup kept after release' : 'at least the latest backup kept after release', () =>
      view.keepOnRelease === undefined ? undefined : { ok: keepsOnRelease(view.keepOnRelease, want), actual: `${view.keepOnRelease} kept` },
    );
  }
  return out;
}
