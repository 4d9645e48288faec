// The CLI's exit codes: one meaning each, printed under every usage, so a CI step can branch on them.
import type { BackupStatus } from '../shared/backup/status';
import type { BackupError } from '../shared/errors';

export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 3, auth: 4, retry: 5 } as const;

export const exitCodes = `Exit codes:
  0  done (backup requested, or finished successfully when waiting; chat: the reply was printed)
  1  the backup failed (deploy-gate: one of them, or no database matched; invoke: the function answered "ok": false;
     report: a database has no good backup within --max-age, or with --posture breaks a POSTURE_RULES rule)
  2  bad usage, invalid input, or an instance / job that does not exist
  3  still running when --wait ran out
  4  authentication, permission or configuration problem (wrong AccessKey, wrong or missing secret)
  5  temporary problem (throttling, network, service, idempotency store): safe to run again with the same --key / --deploy-id
`;

export function exitCodeOf(e: BackupError): number {
  if (e.category === 'validation' || e.category === 'not-found') return EXIT.usage;
  if (e.category === 'auth' || e.category === 'permission' || e.category === 'internal') return EXIT.auth;
  if (e.retryable) return EXIT.retry;
  return EXIT.failed;
}

/** A function's HTTP refusal as an exit code: 401/403 → auth, 429/5xx → try again, other 4xx → usage. */
export const httpExit = (status: number): number => (status === 401 || status === 403 ? EXIT.auth : status === 429 || status >= 500 ? EXIT.retry : EXIT.usage);

export const stateExit = (s: BackupStatus) => (s.state === 'succeeded' ? EXIT.ok : s.state === 'failed' ? EXIT.failed : EXIT.timeout);
