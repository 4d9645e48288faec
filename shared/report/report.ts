// The morning report: for every database with a history or covered by the configured targets and selectors, its
// last good backup (time, age, size), how many successes in a row, its last failure, and whether it has a good
// backup within max-age. The CLI, the chat command and the daily digest all render this one model.
import { mapLimit } from '../backup/batch';
import type { ProductName } from '../cloud/products/catalog';
import type { History } from '../history/history';
import { databaseId, type HistoryRecord } from '../history/record';
import { retentionSummary, type RetentionSummary } from '../retention/summary';
import type { RestorePointsView } from '../restore-points/snapshot';
import { postureKey, type DatabasePosture, type PostureSource } from '../posture/assess';
import type { DrillLog, DrillRecord } from '../drill/record';
import { restoreTested, type RestoreTested } from './restore-tested';

export interface DatabaseReport {
  product: ProductName;
  instanceId: string;
  /** A good backup within max-age. */
  ok: boolean;
  lastGoodAt: string | null;
  /** Age of the last good backup, ms. */
  ageMs: number | null;
  sizeBytes: number | null;
  consecutiveSuccesses: number;
  lastFailure: { code: string; message: string; at: string } | null;
  /** A backup is in progress right now. */
  running: boolean;
  /** Why it is listed: it has records, it is a configured target, or both. */
  listedBy: 'history' | 'targets' | 'both';
  /** This tool's backups still kept, those retention deleted, and when the next deletion is due (null: no history). */
  retention: RetentionSummary | null;
  /** Its good backups in the cloud, all origins, as the tracker's restore-point watch last counted them (null: not yet). */
  restorePoints?: RestorePointsView | null;
  /** Its own backup settings against POSTURE_RULES (null: no rule applies, or posture was not asked for). */
  posture?: DatabasePosture | null;
  /** Its last restore drill that reached a ready instance or a verdict (null: none; absent: drills not asked for). */
  restoreTested?: RestoreTested | null;
  /** With a max restore age: whether the drill configuration covers it and it has a passing drill within that age. */
  restoreOk?: boolean | null;
}

export interface Report {
  generatedAt: string;
  maxAgeMs: number;
  /** Every listed database is ok, and there is at least one. */
  ok: boolean;
  databases: DatabaseReport[];
  /** No database breaks a POSTURE_RULES rule (null: posture not asked for). `report --posture` exits 1 when false. */
  postureOk?: boolean | null;
  /** With a max restore age: every drill-covered database passed a drill within it (null: not asked for). */
  restoreOk?: boolean | null;
  maxRestoreAgeMs?: number | null;
  /** Selectors that matched nothing, targets that could not be resolved: shown in every rendering. */
  warnings: string[];
}

export interface ReportInput {
  history: History;
  /** The configured targets, resolved (BACKUP_TARGETS or --targets, selectors expanded). */
  covered: readonly { product: ProductName; instanceId: string }[];
  warnings: readonly string[];
  maxAgeMs: number;
  now?: number;
  /** Each database's backup settings against POSTURE_RULES: read now, or as the tracker last recorded them. */
  posture?: PostureSource;
  /**
   * Only the databases a reader may see (chat's ACL rule limited by instances or tags): asked before a record is read;
   * `none` is the warning when it shows nothing. Absent: every database.
   */
  scope?: { covers: (d: { product: ProductName; instanceId: string }) => Promise<boolean>; none: string };
  /** Each database's restore points as the watch last counted them (shared/restore-points/snapshot.ts). */
  restorePoints?: (product: ProductName, instanceId: string) => Promise<RestorePointsView | undefined>;
  /** Each database's records as read (newest first), for a view that shows more of them (the dashboard). */
  onRecords?: (product: ProductName, instanceId: string, records: readonly HistoryRecord[]) => void;
  /** The restore drills (shared/drill/log.ts): LAST RESTORE TESTED and RECOVERY TIME per database. */
  drills?: DrillLog;
  /** Each database's drills as read (any order), for a view that lists them (the dashboard): one read for both. */
  onDrills?: (product: ProductName, instanceId: string, drills: readonly DrillRecord[]) => void;
  /**
   * `--max-restore-age`: each database the drill configuration covers (DRILL_TARGETS resolved; listed even without a
   * history) needs a passing drill within `maxAgeMs`.
   */
  restoreGate?: { maxAgeMs: number; covered: readonly { product: ProductName; instanceId: string }[] };
}

/** How far back the report reads drills: a year covers any schedule people keep. */
const DRILL_LOOKBACK_MS = 366 * 86_400_000;

const failedStates = new Set(['failed', 'not-requested', 'lost']);

export function summarise(product: ProductName, instanceId: string, records: readonly HistoryRecord[], maxAgeMs: number, now: number): Omit<DatabaseReport, 'listedBy' | 'posture'> {
  const ended = records.filter((r) => r.state === 'succeeded' || failedStates.has(r.state));
  const good = ended.find((r) => r.state === 'succeeded');
  const lastGoodAt = good ? (good.finishedAt ?? good.endedAt ?? good.requestedAt) : null;
  const failure = ended.find((r) => failedStates.has(r.state));
  let consecutive = 0;
  while (consecutive < ended.length && ended[consecutive]?.state === 'succeeded') consecutive++;
  const ageMs = lastGoodAt ? Math.max(0, now - Date.parse(lastGoodAt)) : null;
  return {
    product,
    instanceId,
    ok: ageMs !== null && ageMs <= maxAgeMs,
    lastGoodAt,
    ageMs,
    sizeBytes: good?.sizeBytes ?? null,
    consecutiveSuccesses: consecutive,
    lastFailure: failure ? { code: failure.error?.code ?? failure.state, message: failure.error?.message ?? failure.state, at: failure.endedAt ?? failure.requestedAt } : null,
    running: records.some((r) => r.state === 'running' || r.state === 'dispatched'),
    retention: retentionSummary(records, now) ?? null,
  };
}

export async function buildReport(i: ReportInput): Promise<Report> {
  const now = i.now ?? Date.now();
  const listed = new Map<string, { product: ProductName; instanceId: string; listedBy: DatabaseReport['listedBy'] }>();
  for (const d of await i.history.databases()) listed.set(databaseId(d.product, d.instanceId), { ...d, listedBy: 'history' });
  for (const d of i.covered) {
    const id = databaseId(d.product, d.instanceId);
    const seen = listed.get(id);
    listed.set(id, { product: d.product, instanceId: d.instanceId, listedBy: seen ? 'both' : 'targets' });
  }
  const drillCovered = new Set((i.restoreGate?.covered ?? []).map((d) => databaseId(d.product, d.instanceId)));
  for (const d of i.restoreGate?.covered ?? []) {
    const id = databaseId(d.product, d.instanceId);
    if (!listed.has(id)) listed.set(id, { product: d.product, instanceId: d.instanceId, listedBy: 'targets' });
  }
  if (i.scope) {
    const { covers } = i.scope;
    const shown = await Promise.all([...listed.entries()].map(async ([id, d]) => [id, await covers(d)] as const));
    for (const [id, ok] of shown) if (!ok) listed.delete(id);
  }
  const posture = i.posture ? await i.posture([...listed.values()]) : undefined;
  const drillsOf = new Map<string, DrillRecord[]>();
  for (const r of i.drills ? await i.drills.recent(DRILL_LOOKBACK_MS) : []) {
    const id = databaseId(r.product, r.sourceId);
    drillsOf.set(id, [...(drillsOf.get(id) ?? []), r]);
  }
  const restore = (d: { product: ProductName; instanceId: string }) => {
    if (!i.drills) return {};
    const mine = drillsOf.get(databaseId(d.product, d.instanceId)) ?? [];
    i.onDrills?.(d.product, d.instanceId, mine);
    const tested = restoreTested(mine) ?? null;
    if (!i.restoreGate) return { restoreTested: tested };
    const passedAt = tested?.lastPassedAt ? Date.parse(tested.lastPassedAt) : undefined;
    return { restoreTested: tested, restoreOk: drillCovered.has(databaseId(d.product, d.instanceId)) ? passedAt !== undefined && now - passedAt <= i.restoreGate.maxAgeMs : null };
  };
  const databases = await mapLimit([...listed.values()], 20, async (d) => {
    const records = await i.history.forDatabase(d.product, d.instanceId);
    i.onRecords?.(d.product, d.instanceId, records);
    const points = i.restorePoints ? ((await i.restorePoints(d.product, d.instanceId).catch(() => undefined)) ?? null) : undefined;
    return { ...summarise(d.product, d.instanceId, records, i.maxAgeMs, now), listedBy: d.listedBy, ...(points !== undefined ? { restorePoints: points } : {}), posture: posture?.byDatabase.get(postureKey(d.product, d.instanceId)) ?? null, ...restore(d) };
  });
  // Problems first (no good backup, then broken settings), then by product and id: the first lines are the ones to act on.
  const breaks = (d: DatabaseReport) => Number(d.posture?.verdict === 'failing' || d.posture?.verdict === 'unknown');
  databases.sort((a, b) => Number(a.ok) - Number(b.ok) || breaks(b) - breaks(a) || a.product.localeCompare(b.product) || a.instanceId.localeCompare(b.instanceId));
  const warnings = [...i.warnings, ...(posture?.warnings ?? [])];
  if (databases.length === 0) warnings.push(i.scope?.none ?? 'No database is covered: no history in the store and no configured target (BACKUP_TARGETS or --targets).');
  return {
    generatedAt: new Date(now).toISOString(),
    maxAgeMs: i.maxAgeMs,
    ok: databases.length > 0 && databases.every((d) => d.ok),
    postureOk: posture ? databases.every((d) => d.posture?.verdict !== 'failing' && d.posture?.verdict !== 'unknown') : null,
    ...(i.drills && i.restoreGate
      ? { maxRestoreAgeMs: i.restoreGate.maxAgeMs, restoreOk: databases.some((d) => d.restoreOk !== null) && databases.every((d) => d.restoreOk !== false) }
      : {}),
    databases,
    warnings,
  };
}
