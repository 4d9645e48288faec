// The history API: every requested backup from its request to its end, per database for the retention window,
// found by any id the tool prints (idempotency key, job id, backup set id, deployId). Records live in the
// idempotency store (file or Redis, whichever is configured); the indexes beside them (sorted-index.ts).
import { randomUUID } from 'node:crypto';
import type { ProductName } from '../cloud/products/catalog';
import { BackupError, type BackupError as BackupErrorType } from '../errors';
import { sha256Hex } from '../idempotency/key';
import type { IdempotencyRecord, IdempotencyStore } from '../idempotency/store';
import { databaseId, isFinalState, type Duty, type HistoryRecord, type HistoryState, type Origin } from './record';
import type { IndexOp, SortedIndex } from './sorted-index';
import { instanceIdOf, type Target } from '../backup/targets';

/** Outstanding records are spread over this many shards, so a large sweep fans out one invocation per shard. */
export const SHARDS = 16;

export const shardOf = (id: string): number => Number.parseInt(sha256Hex(id).slice(0, 8), 16) % SHARDS;

export interface HistoryOptions {
  store: IdempotencyStore;
  index: SortedIndex;
  /** How long records and their indexes are kept (at least 35 days). */
  retentionMs: number;
  /** A dispatched task with no job after this long is lost (the tracker dispatches it again). */
  lostAfterMs?: number;
  /** First look at a new job. */
  firstCheckMs?: number;
  now?: () => number;
}

export interface Subject {
  /** The request's idempotency key. */
  id: string;
  target: Target;
  product: ProductName;
  instanceId: string;
  origin: Origin;
}

export interface JobRef {
  jobId?: string;
  backupId?: string;
  region?: string;
  requestedAt?: string;
  /** Adopted by a fresh claim's look, with no attempt of ours on record. */
  originUncertain?: true;
  /** The engine's outcome: `adopted` is checked against what was asked once its set appears. */
  outcome?: string;
}

export type FinalPatch = Partial<Pick<HistoryRecord, 'backupId' | 'startedAt' | 'finishedAt' | 'durationMs' | 'sizeBytes' | 'method' | 'error' | 'originUncertain'>> & {
  state: Extract<HistoryState, 'succeeded' | 'failed' | 'lost'>;
};

/** The tags a tag selector found a database by. */
export interface DatabaseTags {
  product: ProductName;
  instanceId: string;
  tags: Record<string, string>;
}

export interface DatabaseEntry {
  product: ProductName;
  instanceId: string;
  lastRequestedAt: string;
}

const recordKey = (id: string) => `fcdb_hist_${id}`;
const defaults = { lostAfterMs: 300_000, firstCheckMs: 0 };
const MAX_CAS_ATTEMPTS = 8;

export class History {
  private readonly o: Required<Omit<HistoryOptions, 'now'>> & { now: () => number };

  constructor(options: HistoryOptions) {
    this.o = { ...defaults, now: () => Date.now(), ...options };
  }

  get lostAfterMs(): number {
    return this.o.lostAfterMs;
  }

  async get(id: string): Promise<HistoryRecord | undefined> {
    return (await this.o.store.get(recordKey(id)))?.result as HistoryRecord | undefined;
  }

  /** By idempotency key, job id, backup set id or deployId: every record that id names, newest first. */
  async find(ref: string): Promise<HistoryRecord[]> {
    const direct = await this.get(ref);
    if (direct) return [direct];
    const ids = (await this.o.index.range(`ref:${ref}`, { reverse: true })).map((e) => e.member);
    return (await Promise.all(ids.map((id) => this.get(id)))).filter((r): r is HistoryRecord => r !== undefined);
  }

  /** A task handed to a worker: no job yet. If nothing arrives within lostAfterMs, the tracker dispatches it again. */
  expect(s: Subject): Promise<HistoryRecord> {
    return this.mutate(s.id, (cur) => cur ?? this.fresh(s, 'dispatched', this.o.now() + this.o.lostAfterMs));
  }

  /** CreateBackup was accepted (or a running job adopted): the job is outstanding until the tracker sees its end. */
  requested(s: Subject, job: JobRef): Promise<HistoryRecord> {
    return this.mutate(s.id, (cur) => {
      // A lost or withdrawn task whose worker did run after all: the job exists, so the record says so.
      if (cur && isFinalState(cur.state) && cur.state !== 'lost' && cur.state !== 'not-requested') return undefined;
      const base = cur ?? this.fresh(s, 'running', 0);
      if (base.state === 'running' && base.jobId === job.jobId && base.backupId === job.backupId) return cur ? undefined : base;
      return {
        ...base,
        state: 'running',
        jobId: job.jobId,
        backupId: job.backupId,
        region: job.region ?? base.region,
        requestedAt: job.requestedAt ?? base.requestedAt,
        ...(job.originUncertain ? { originUncertain: true as const } : {}),
        ...(job.outcome === 'adopted' ? { adopted: true as const } : {}),
        // A job adopted after a lost dispatch is no longer lost: its alert, if not yet sent, is moot.
        duties: [],
        error: undefined,
        endedAt: undefined,
        nextCheckAt: this.o.now() + this.o.firstCheckMs,
      };
    });
  }

  /** The engine's onJob hook for requests from `origin`: each job recorded as outstanding once its id is known. */
  recorder(origin: Origin): (outcome: { key: string; jobId?: string; backupId?: string; region: string; requestedAt: string; originUncertain?: true; outcome?: string }, target: Target) => Promise<HistoryRecord> {
    return (o, target) => this.requested(subjectOf(o.key, target, origin), o);
  }

  /** The target could not be requested at all (refused, not found, retries exhausted): final, alerted. */
  refused(s: Subject, error: BackupErrorType): Promise<HistoryRecord> {
    return this.mutate(s.id, (cur) => {
      if (cur && cur.state !== 'dispatched') return undefined;
      const base = cur ?? this.fresh(s, 'not-requested', 0);
      return this.finalised(base, { state: 'failed', error: { code: error.code, message: error.message } }, 'not-requested');
    });
  }

  /**
   * The hand-over certainly failed and the asker was told nothing started: final, nothing owed, so the tracker does
   * not send the task after the asker's own retry has asked again (two backups).
   */
  withdraw(id: string, error: BackupErrorType): Promise<HistoryRecord> {
    return this.mutate(id, (cur) =>
      cur?.state === 'dispatched' ? { ...this.finalised(cur, { state: 'not-requested', error: { code: error.code, message: error.message } }, 'not-requested'), duties: [] } : undefined,
    );
  }

  /** The tracker's verdict on an outstanding record; undefined when another sweep recorded it first. */
  async finish(current: HistoryRecord, patch: FinalPatch): Promise<HistoryRecord | undefined> {
    let won = false;
    const next = await this.mutate(current.id, (cur) => {
      // Decided on every compare-and-set attempt: a lost attempt that finds the record final has lost.
      won = cur !== undefined && !isFinalState(cur.state);
      if (!won || !cur) return undefined;
      return this.finalised(cur, patch, patch.state);
    });
    return won ? next : undefined;
  }

  /** Retention deleted this record's backup set, or found it gone (shared/retention/). */
  retire(id: string, reason: string, forId?: string): Promise<HistoryRecord> {
    return this.mutate(id, (cur) => {
      if (!cur || cur.retired) return undefined;
      const by = forId ?? cur.retiring?.for;
      return { ...cur, retired: { at: new Date(this.o.now()).toISOString(), reason, ...(by ? { for: by } : {}) }, retiring: undefined };
    });
  }

  /** The deletion begun was refused (the set stays): no longer about to be deleted. */
  notRetiring(id: string): Promise<HistoryRecord> {
    return this.mutate(id, (cur) => (cur?.retiring ? { ...cur, retiring: undefined } : undefined));
  }

  /** Retention is about to delete this record's backup set, the one deletion that record `forId`'s success allows. */
  retiring(id: string, reason: string, forId?: string): Promise<HistoryRecord> {
    return this.mutate(id, (cur) => (cur && !cur.retired && !cur.retiring ? { ...cur, retiring: { at: new Date(this.o.now()).toISOString(), reason, ...(forId ? { for: forId } : {}) } } : undefined));
  }

  /**
   * Not final yet: look again at `nextCheckAt`. `redispatch`: the n of the `<key>_r<n>` task just sent. It is counted
   * once per n, not once per sender: two visits of one lost task at once (overlapping sweeps, the failure destination
   * racing a sweep) both send `_r1` (FC keeps one), and counting both declared the task lost with `_r2` never sent.
   * The first write for n wins; a later one re-reads the record here and leaves it as the winner set it.
   */
  async reschedule(current: HistoryRecord, nextCheckAt: number, redispatch?: number): Promise<void> {
    await this.mutate(current.id, (cur) => {
      if (!cur || isFinalState(cur.state)) return undefined;
      if (redispatch === undefined) return { ...cur, nextCheckAt };
      return cur.redispatches >= redispatch ? undefined : { ...cur, nextCheckAt, redispatches: redispatch };
    });
  }

  /** Not final, its job finished but no set listed for it yet: `since` is kept from the first such look. */
  async unlisted(current: HistoryRecord, since: string, nextCheckAt: number): Promise<void> {
    await this.mutate(current.id, (cur) => (!cur || isFinalState(cur.state) ? undefined : { ...cur, nextCheckAt, unlistedSince: cur.unlistedSince ?? since }));
  }

  /** A duty done (result posted, alert sent): a final record with none left leaves the outstanding set. */
  async settle(id: string, duty: Duty): Promise<void> {
    await this.mutate(id, (cur) => (cur?.duties.includes(duty) ? { ...cur, duties: cur.duties.filter((d) => d !== duty) } : undefined));
  }

  /** A database's records, newest first, back to `since` (default: the whole retention window). */
  async forDatabase(product: ProductName, instanceId: string, since?: number): Promise<HistoryRecord[]> {
    const entries = await this.o.index.range(`db:${databaseId(product, instanceId)}`, { min: since ?? this.o.now() - this.o.retentionMs, reverse: true });
    return (await Promise.all(entries.map((e) => this.get(e.member)))).filter((r): r is HistoryRecord => r !== undefined);
  }

  /** Every database with a record in the retention window. */
  async databases(): Promise<DatabaseEntry[]> {
    const entries = await this.o.index.range('dbs', { min: this.o.now() - this.o.retentionMs });
    return entries.map((e) => {
      const at = e.member.indexOf(':');
      return { product: e.member.slice(0, at) as ProductName, instanceId: e.member.slice(at + 1), lastRequestedAt: new Date(e.score).toISOString() };
    });
  }

  /** Notes the tags each database was found by (the timer, each firing), for the views that show and filter on them. */
  async noteTags(found: readonly DatabaseTags[]): Promise<void> {
    if (found.length === 0) return;
    const at = this.o.now();
    const ops: IndexOp[] = found.map((f) => ({ op: 'add', index: 'tags', member: `${databaseId(f.product, f.instanceId)}\n${JSON.stringify(Object.entries(f.tags).sort(([a], [b]) => a.localeCompare(b)))}`, score: at }));
    await this.o.index.apply([{ op: 'trim', index: 'tags', below: at - this.o.retentionMs }, ...ops], this.o.retentionMs);
  }

  /** Each database's tags (by database id) as its latest firing noted them: every selector that found it within that hour. */
  async tags(): Promise<Map<string, Record<string, string>>> {
    const entries = await this.o.index.range('tags', { min: this.o.now() - this.o.retentionMs, reverse: true });
    const latest = new Map<string, number>();
    const out = new Map<string, Record<string, string>>();
    for (const e of entries) {
      const cut = e.member.indexOf('\n');
      const db = e.member.slice(0, cut);
      const newest = latest.get(db) ?? e.score;
      latest.set(db, newest);
      // Tags an older firing noted (a renamed tag, a changed selector) are no longer what the database is found by.
      if (e.score < newest - 3_600_000) continue;
      try {
        out.set(db, { ...(out.get(db) ?? {}), ...Object.fromEntries(JSON.parse(e.member.slice(cut + 1)) as [string, string][]) });
      } catch {
        // Not written by noteTags: skipped.
      }
    }
    return out;
  }

  /** Ids of the shard's records whose next look is due, earliest first. */
  async due(shard: number, limit: number): Promise<string[]> {
    return (await this.o.index.range(`due:${shard}`, { max: this.o.now(), limit })).map((e) => e.member);
  }

  /** Every outstanding id of the shard, due or not (operators' and tests' view; the sweep reads `due`). */
  async open(shard: number, limit = 10_000): Promise<string[]> {
    return (await this.o.index.range(`due:${shard}`, { limit })).map((e) => e.member);
  }

  async outstanding(shard: number): Promise<number> {
    return this.o.index.count(`due:${shard}`);
  }

  /** A due entry whose record is gone (expired, or its writer died before writing it). */
  async forget(id: string): Promise<void> {
    await this.o.index.apply([{ op: 'remove', index: `due:${shardOf(id)}`, member: id }], this.o.retentionMs);
  }

  private fresh(s: Subject, state: HistoryState, nextCheckAt: number): HistoryRecord {
    return {
      id: s.id,
      product: s.product,
      instanceId: s.instanceId,
      target: s.target,
      origin: s.origin,
      state,
      requestedAt: new Date(this.o.now()).toISOString(),
      duties: [],
      redispatches: 0,
      nextCheckAt,
      version: '',
    };
  }

  private finalised(cur: HistoryRecord, patch: Omit<FinalPatch, 'state'> & { state: HistoryState }, state: HistoryState): HistoryRecord {
    const duties: Duty[] = [];
    if (state !== 'succeeded') duties.push('alert');
    // Whoever records the success, the tracker (whose role may delete backups) runs retention after it.
    else duties.push('retention');
    if (cur.origin.replyTo) duties.push('reply');
    return { ...cur, ...patch, state, endedAt: new Date(this.o.now()).toISOString(), duties, nextCheckAt: this.o.now() };
  }

  /**
   * Compare-and-set on the record's version. Index entries that make a record findable are written before the
   * record, and the one that drops it from the outstanding set after: a crash in between leaves an entry that
   * points to a record not yet (or no longer) there, which the readers skip — never a record the sweep cannot see.
   */
  private async mutate(id: string, change: (cur: HistoryRecord | undefined) => HistoryRecord | undefined): Promise<HistoryRecord> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await this.o.store.get(recordKey(id));
      const cur = stored?.result as HistoryRecord | undefined;
      const proposed = change(cur);
      if (!proposed) {
        if (cur) return cur;
        throw new BackupError({ code: 'HistoryNotFound', category: 'not-found', message: `No history record ${id}.` });
      }
      const next: HistoryRecord = { ...proposed, version: randomUUID() };
      const { before, after } = this.indexOps(next);
      await this.o.index.apply(before, this.o.retentionMs);
      const wrapped: IdempotencyRecord = {
        key: recordKey(id),
        payloadHash: '',
        status: 'completed',
        owner: next.version,
        claimedAt: next.requestedAt,
        leaseExpiresAt: 0,
        attempts: 0,
        result: next as unknown as Record<string, unknown>,
      };
      const ok = stored
        ? await this.o.store.compareAndSet(stored.owner, wrapped, this.o.retentionMs)
        : (await this.o.store.putIfAbsent(wrapped, this.o.retentionMs)).ok;
      if (ok) {
        await this.o.index.apply(after, this.o.retentionMs);
        return next;
      }
    }
    throw new BackupError({ code: 'HistoryContended', category: 'transient', message: `History record ${id} kept changing under ${MAX_CAS_ATTEMPTS} writers; try again.` });
  }

  private indexOps(r: HistoryRecord): { before: IndexOp[]; after: IndexOp[] } {
    const at = Date.parse(r.requestedAt);
    const db = databaseId(r.product, r.instanceId);
    const refs = [r.jobId, r.backupId, r.origin.deployId].filter((x): x is string => x !== undefined && x !== '');
    const before: IndexOp[] = [
      { op: 'add', index: `db:${db}`, member: r.id, score: at },
      { op: 'trim', index: `db:${db}`, below: this.o.now() - this.o.retentionMs },
      { op: 'add', index: 'dbs', member: db, score: at, keepHigher: true },
      ...refs.map((ref): IndexOp => ({ op: 'add', index: `ref:${ref}`, member: r.id, score: at })),
    ];
    const due = `due:${shardOf(r.id)}`;
    const outstanding = !isFinalState(r.state) || r.duties.length > 0;
    if (outstanding) before.push({ op: 'add', index: due, member: r.id, score: r.nextCheckAt });
    return { before, after: outstanding ? [] : [{ op: 'remove', index: due, member: r.id }] };
  }
}

/** The history's view of a request: its key, its target, and what asked for it. */
export const subjectOf = (id: string, target: Target, origin: Origin): Subject => ({ id, target, product: target.product, instanceId: instanceIdOf(target), origin });
