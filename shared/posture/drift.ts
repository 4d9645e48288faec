// Posture drift, watched by the tracker: every POSTURE_CHECK_INTERVAL it reads the backup settings of the databases
// due (POSTURE_RULES' rules, the same read as the CLI's), keeps each verdict in the shared store, and alerts once when
// a database goes from meeting its rules to breaking one — naming the rule and the old and new values — and once
// when it recovers. The chat report and the daily digest show the recorded verdicts (no cloud call of their own).
import type { EngineDeps } from '../backup/engine';
import { toBackupError } from '../errors';
import type { History } from '../history/history';
import type { IdempotencyStore } from '../idempotency/store';
import type { Logger } from '../logger';
import type { Alert } from '../notifications/alert';
import { notify, type NotifierDeps } from '../notifications/notifier';
import { assess, postureKey, type Database, type DatabasePosture, type PostureSource } from './assess';
import { hasRules, type PostureRules } from './rules';

const OWNER = 'posture-drift';
const keyOf = (d: Database) => `posture_${d.product}_${d.instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export async function recordedPosture(store: IdempotencyStore, d: Database): Promise<DatabasePosture | undefined> {
  return (await store.get(keyOf(d)))?.result as unknown as DatabasePosture | undefined;
}

async function record(store: IdempotencyStore, p: DatabasePosture, ttlMs: number): Promise<void> {
  const rec = { key: keyOf(p), payloadHash: OWNER, status: 'completed' as const, owner: OWNER, claimedAt: p.checkedAt, leaseExpiresAt: 0, attempts: 1, result: p as unknown as Record<string, unknown> };
  const put = await store.putIfAbsent(rec, ttlMs);
  if (!put.ok) await store.compareAndSet(OWNER, rec, ttlMs);
}

/** The chat report's and the digest's: the verdicts the tracker last recorded. */
export const recordedPostureSource = (store: IdempotencyStore): PostureSource => async (databases) => {
  const byDatabase = new Map<string, DatabasePosture>();
  for (const d of databases) {
    const p = await recordedPosture(store, d).catch(() => undefined);
    if (p) byDatabase.set(postureKey(d.product, d.instanceId), p);
  }
  return { byDatabase, warnings: [] };
};

export interface DriftDeps {
  store: IdempotencyStore;
  history: History;
  engine: EngineDeps;
  rules: PostureRules;
  notifier: NotifierDeps;
  logger: Logger;
  intervalMs: number;
  batch: number;
  ttlMs: number;
  now?: () => number;
}

const meets = (p: DatabasePosture) => p.verdict === 'ok' || p.verdict === 'not-applicable' || p.verdict === 'no-rules';
const breaks = (p: DatabasePosture) => p.verdict === 'failing';

export async function watchPosture(d: DriftDeps): Promise<{ checked: number; alerted: number }> {
  if (!hasRules(d.rules)) return { checked: 0, alerted: 0 };
  const now = (d.now ?? Date.now)();
  const dbs = await d.history.databases();
  const last = await Promise.all(dbs.map(async (db) => ({ db, prev: await recordedPosture(d.store, db).catch(() => undefined) })));
  const due = last
    .filter(({ prev }) => !prev || Date.parse(prev.checkedAt) + d.intervalMs <= now)
    .sort((a, b) => Date.parse(a.prev?.checkedAt ?? '1970-01-01') - Date.parse(b.prev?.checkedAt ?? '1970-01-01'))
    .slice(0, d.batch);
  if (due.length === 0) return { checked: 0, alerted: 0 };
  const { assessments } = await assess(
    due.map(({ db }) => ({ product: db.product, instanceId: db.instanceId })),
    d.rules,
    d.engine,
    { now: () => now },
  );
  let alerted = 0;
  for (const a of assessments) {
    const prev = due.find(({ db }) => db.product === a.posture.product && db.instanceId === a.posture.instanceId)?.prev;
    const alert = prev ? driftAlert(prev, a.posture) : undefined;
    // Not sent: the old verdict stays recorded, so the next check finds the same change and tries again (same id).
    if (alert && !(await notify(alert, d.notifier).catch((e: unknown) => (d.logger.warn('posture drift alert not sent', { code: toBackupError(e).code }), false)))) continue;
    if (alert) alerted++;
    await record(d.store, a.posture, d.ttlMs);
  }
  return { checked: assessments.length, alerted };
}

/** Compliant → breaking, or breaking → compliant; an unreadable check is neither (it is retried, not alerted). */
export function driftAlert(prev: DatabasePosture, next: DatabasePosture): Alert | undefined {
  const went = meets(prev) && breaks(next) ? 'broke' : breaks(prev) && meets(next) ? 'recovered' : undefined;
  if (!went) return undefined;
  const changed = next.rules.filter((r) => {
    const before = prev.rules.find((p) => p.rule === r.rule);
    return went === 'broke' ? r.status === 'failing' && before?.status !== 'failing' : before?.status === 'failing' && r.status !== 'failing';
  });
  const lines = changed.map((r) => `${r.rule}: was ${prev.rules.find((p) => p.rule === r.rule)?.actual ?? 'not checked'}, now ${r.actual} (expected ${r.expected})`);
  const db = `${next.product} ${next.instanceId}`;
  return {
    id: `posture-${went}:${next.product}:${next.instanceId}:${next.checkedAt}`,
    kind: went === 'broke' ? 'posture-drift' : 'posture-recovered',
    title: went === 'broke' ? `Backup settings no longer meet the rules: ${db}` : `Backup settings meet the rules again: ${db}`,
    database: { product: next.product, instanceId: next.instanceId },
    code: went === 'broke' ? 'PostureDrift' : 'PostureRecovered',
    message: lines.join('; ') || (went === 'broke' ? 'a rule now fails' : 'every rule holds again'),
    action: went === 'broke' ? 'Run fc-db-backup posture --fix to see the calls that bring it back into line (--apply makes them with your credentials); find who changed the setting in ActionTrail.' : 'Nothing to do.',
    at: next.checkedAt,
  };
}
