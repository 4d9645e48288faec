// Follows one restore drill a step at a time, from its stored record alone: requested → creating → ready →
// validating → releasing → released (or release-failed). Each look reads the record, asks the cloud one thing and
// writes the next phase by compare-and-set, so two followers at once take each step once; nothing waits between
// looks. The lifetime bounds everything: past `releaseBy` the instance is released whatever validation is doing.
import { callerFor, type ProductCaller } from '../backup/engine';
import { targetFromWords } from '../backup/targets';
import { toBackupError } from '../errors';
import type { Alert } from '../notifications/alert';
import type { Logger } from '../logger';
import { drillAlert, drillRecordLostAlert, releaseCommand } from './alerts';
import { isOpen } from './log';
import { ownership } from './ownership';
import type { DrillRecord } from './record';
import type { DrillInstanceView, RestoreCatalog } from './restore-catalog';
import { resumeDrill, type DrillDeps } from './start';
import { builtInCheck, type Validator } from './validate';

export interface FollowDeps extends DrillDeps {
  /** Sends (and keeps until sent) an alert: the outbox the tracker drains. */
  raise: (alert: Alert) => Promise<void>;
  logger: Logger;
  /** DRILL_VALIDATOR_FUNCTION's invoker; absent: the built-in check. */
  validator?: Validator;
  /** Posts a chat drill's outcome to whoever asked, at most once. */
  postOutcome?: (r: DrillRecord) => Promise<void>;
}

export type FollowStep = DrillRecord['phase'] | 'lost' | 'ended';

export async function followDrill(drillId: string, d: FollowDeps): Promise<FollowStep> {
  const r = await d.log.get(drillId);
  if (!r) {
    // The instance it may have made is left running: without its record nothing proves it ours (ownership.ts).
    await d.raise(drillRecordLostAlert(drillId, new Date(now(d)).toISOString()));
    await d.log.forget(drillId);
    return 'lost';
  }
  if (!isOpen(r)) return 'ended';
  const catalog = d.restoreCatalogOf(r.product);
  const caller = callerFor(targetFromWords(r.product, r.sourceId, undefined, r.regionId), d.engine);
  const next = await step(r, catalog, caller, d);
  if (!isOpen(next) && isOpen(r)) {
    d.logger.info('restore drill ended', { drillId, phase: next.phase, verdict: next.verdict, recoveryMs: next.recoveryMs, lifetimeMs: next.lifetimeMs, code: next.error?.code });
    if (next.phase === 'release-failed' || next.verdict !== 'passed') await d.raise(drillAlert(next));
    if (next.origin.replyTo && d.postOutcome) await d.postOutcome(next);
  }
  return next.phase;
}

const now = (d: FollowDeps) => (d.now ?? Date.now)();
const iso = (d: FollowDeps) => new Date(now(d)).toISOString();
const pastLifetime = (r: DrillRecord, d: FollowDeps) => now(d) >= Date.parse(r.releaseBy);

/** Writes `change` only if the record is still in `phase` (another follower may have moved it on). */
async function advance(r: DrillRecord, d: FollowDeps, change: Partial<DrillRecord>): Promise<DrillRecord> {
  return (await d.log.mutate(r.drillId, (cur) => (cur && cur.phase === r.phase ? { ...cur, ...change, updatedAt: iso(d) } : undefined))) ?? r;
}

async function step(r: DrillRecord, catalog: RestoreCatalog, caller: ProductCaller, d: FollowDeps): Promise<DrillRecord> {
  switch (r.phase) {
    case 'requested':
      // The create answer was lost, or the starter died before writing the id: find it (token, tag and name) or create it once.
      return resumeDrill(r, catalog, caller, d, { create: !pastLifetime(r, d) }).then((next) =>
        next.phase === 'requested' && pastLifetime(r, d)
          ? advance(next, d, { phase: 'released', releasedAt: iso(d), error: { code: 'DrillNeverCreated', message: `No temporary instance of drill ${r.drillId} was found or created before its lifetime ended at ${r.releaseBy}.` } })
          : next,
      );
    case 'creating':
      return creating(r, catalog, caller, d);
    case 'ready':
    case 'validating':
      return validating(r, catalog, caller, d);
    case 'releasing':
      return releasing(r, catalog, caller, d);
    default:
      return r;
  }
}

async function describe(r: DrillRecord, catalog: RestoreCatalog, caller: ProductCaller): Promise<DrillInstanceView | undefined> {
  const instanceId = r.instanceId as string;
  try {
    const view = catalog.describe.parse(await caller.read(catalog.describe.action, catalog.describe.query({ regionId: r.regionId, instanceId })));
    if (!view) return undefined;
    const tags = catalog.readTags ? catalog.readTags.parse(await caller.read(catalog.readTags.action, catalog.readTags.query({ regionId: r.regionId, instanceId }))) : view.tags;
    const endpoint = view.endpoint ?? (catalog.endpoint && view.state === 'running' ? catalog.endpoint.parse(await caller.read(catalog.endpoint.action, catalog.endpoint.query({ regionId: r.regionId, instanceId }))) : undefined);
    return { ...view, tags, ...(endpoint ? { endpoint } : {}) };
  } catch (raw) {
    const e = toBackupError(raw);
    if (catalog.describe.goneCodes.includes(e.details.cloudCode as string) || catalog.describe.goneCodes.includes(e.code)) return undefined;
    throw e;
  }
}

async function creating(r: DrillRecord, catalog: RestoreCatalog, caller: ProductCaller, d: FollowDeps): Promise<DrillRecord> {
  if (catalog.tagAfterCreate && !r.tagged) {
    // CloneDBInstance takes no tags: the drill tag goes on right after, to the id the record holds (and only that one).
    await caller.read(catalog.tagAfterCreate.action, catalog.tagAfterCreate.query({ regionId: r.regionId, instanceId: r.instanceId as string, drillId: r.drillId }));
    r = await advance(r, d, { tagged: true });
  }
  const view = await describe(r, catalog, caller);
  if (!view || view.state === 'gone') {
    return advance(r, d, { phase: 'released', releasedAt: iso(d), error: { code: 'DrillInstanceVanished', message: `Temporary instance ${r.instanceId} disappeared while it was being created.` } });
  }
  if (view.state === 'failed') {
    return advance(r, d, { phase: 'releasing', verdict: 'failed', error: { code: 'RestoreFailed', message: `Restoring backup ${r.backupId} to ${r.instanceId} failed: the instance is ${view.status}.` } });
  }
  if (view.state === 'running') {
    const readyAt = iso(d);
    return advance(r, d, { phase: 'ready', readyAt, recoveryMs: Date.parse(readyAt) - Date.parse(r.requestedAt) });
  }
  if (pastLifetime(r, d)) {
    return advance(r, d, { phase: 'releasing', verdict: 'timed-out', verdictMessage: `Still ${view.status} when its lifetime ended at ${r.releaseBy}.`, error: { code: 'RestoreTimedOut', message: `The restore was not ready within the drill's lifetime (${r.releaseBy}).` } });
  }
  return r;
}

async function validating(r: DrillRecord, catalog: RestoreCatalog, caller: ProductCaller, d: FollowDeps): Promise<DrillRecord> {
  if (pastLifetime(r, d)) {
    return advance(r, d, { phase: 'releasing', verdict: 'timed-out', verdictMessage: `Validation did not answer before the instance's lifetime ended at ${r.releaseBy}.` });
  }
  if (r.phase === 'ready') r = await advance(r, d, { phase: 'validating', validationStartedAt: iso(d) });
  if (r.phase !== 'validating') return r;
  const view = await describe(r, catalog, caller);
  if (!view) return advance(r, d, { phase: 'released', releasedAt: iso(d), verdict: 'failed', error: { code: 'DrillInstanceVanished', message: `Temporary instance ${r.instanceId} disappeared before it was validated.` } });
  let verdict: { passed: boolean; message: string };
  if (d.validator) {
    try {
      verdict = await d.validator.validate(r, view);
    } catch (raw) {
      // A validator that errs or does not answer is asked again on the next look, until the lifetime ends.
      const e = toBackupError(raw);
      d.logger.warn('drill validator did not answer; asked again on the next look', { drillId: r.drillId, code: e.code });
      return r;
    }
  } else {
    const source = catalog.source.parse(await caller.read(catalog.source.action, catalog.source.query({ regionId: r.regionId, sourceId: r.sourceId })));
    verdict = builtInCheck(source, view);
  }
  return advance(r, d, { phase: 'releasing', verdict: verdict.passed ? 'passed' : 'failed', verdictMessage: verdict.message });
}

async function releasing(r: DrillRecord, catalog: RestoreCatalog, caller: ProductCaller, d: FollowDeps): Promise<DrillRecord> {
  const instanceId = r.instanceId as string;
  const view = await describe(r, catalog, caller);
  const gone = !view || view.state === 'gone';
  if (gone) return advance(r, d, { phase: 'released', releasedAt: iso(d), lifetimeMs: lifetime(r, d) });
  const mine = ownership(r, instanceId, view);
  if (!mine.ours) {
    // Never released on a doubt: the instance stays, and a person is told why.
    return advance(r, d, {
      phase: 'release-failed',
      error: { code: 'DrillOwnershipUnproven', message: `Not released, because it could not be proven to be this drill's: ${mine.reasons.join('; ')}. If it is, release it by hand: ${releaseCommand(r)}` },
    });
  }
  // Releasing already (our call went through) or still being created (PolarDB refuses release then): look again later.
  if (view.state === 'releasing' || view.state === 'creating') return r;
  try {
    await caller.once(catalog.release.action, catalog.release.query({ regionId: r.regionId, instanceId }));
    return advance(r, d, { releaseRequestedAt: r.releaseRequestedAt ?? iso(d) });
  } catch (raw) {
    const e = toBackupError(raw);
    if (catalog.release.goneCodes.includes(e.details.cloudCode as string) || catalog.release.goneCodes.includes(e.code)) {
      return advance(r, d, { phase: 'released', releasedAt: iso(d), lifetimeMs: lifetime(r, d) });
    }
    const failures = (r.releaseFailures ?? 0) + 1;
    d.logger.warn('drill release failed; tried again on the next look', { drillId: r.drillId, instanceId, failures, code: e.code });
    if (failures < d.config.releaseAttempts) return advance(r, d, { releaseFailures: failures });
    return advance(r, d, {
      phase: 'release-failed',
      releaseFailures: failures,
      error: { code: e.code, message: `Release of ${instanceId} failed ${failures} times (last: ${e.message}). Release it by hand: ${releaseCommand(r)}` },
    });
  }
}

/** From the create call's answer (approximated by the request) to the release. */
const lifetime = (r: DrillRecord, d: FollowDeps) => now(d) - Date.parse(r.requestedAt);
