// Retention belongs to the operator (the timer's targets, BACKUP_TARGETS, configuration): a request that can be
// signed by a CI secret or posed as a chat user never sets how many restore points survive (issue 16).
import { validationError, type FieldIssue } from '../errors';

// The rotation counts (shared/retention/rotation.ts) decide deletions just as keep does.
const RETENTION_FIELDS = ['keep', 'keepDays', 'keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;

/** Refuses `keep`/`keepDays` and the rotation counts on any target or selector of a request, naming each field (400). */
export function refuseRequestRetention(input: unknown, at = 'targets', trigger = 'deploy-gate request'): void {
  if (!Array.isArray(input)) return;
  const issues: FieldIssue[] = input.flatMap((t, i) =>
    t !== null && typeof t === 'object'
      ? RETENTION_FIELDS.filter((f) => f in t).map((f) => ({
          field: `${at}[${i}].${f}`,
          value: (t as Record<string, unknown>)[f],
          rule: `retention is set only by the operator's scheduled targets (BACKUP_TARGETS or the timer's payload), never by a ${trigger}`,
        }))
      : [],
  );
  if (issues.length > 0) throw validationError(issues, 'targets');
}
