// The gate a CI pipeline calls before a deploy or migration:
//   POST /backups       {"targets":[...], "deployId":"...", "reason":"...", "dryRun":false, "wait":0}   → 202 / 200
//   GET  /backups/{id}  the same jobs' current states                                                      → 202 / 200
// Signed over method, path, timestamp and body (shared/http/signatures/deploy-request.ts), each POST accepted once;
// a re-run of the same deployId takes no second backup.
import * as z from 'zod/mini';
import { backupAll, mapLimit } from '../../shared/backup/batch';
import { earlier } from '../../shared/deadline';
import { parseTargetsOrSelectors, resolveTargets, runLimit } from '../../shared/backup/discovery';
import { planBackup } from '../../shared/backup/dry-run';
import { BackupError, idempotencyMismatch, toBackupError } from '../../shared/errors';
import { httpApp } from '../../shared/http/app';
import { claim, complete, release } from '../../shared/idempotency/guard';
import { canonicalJson, idempotencyKey, payloadHash } from '../../shared/idempotency/key';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';
import { jsonResponse } from '../../shared/http/middleware/response';
import { validate } from '../../shared/http/middleware/validator';
import { verifySignature } from '../../shared/http/middleware/signature-verifier';
import type { HttpRequest } from '../../shared/http/request';
import { refuseReplays } from '../../shared/http/middleware/replay-guard';
import { type AdhocSlot, returnAdhocSlots, takeAdhocSlot } from '../../shared/ratelimit/adhoc-limit';
import { refuseRequestRetention } from '../../shared/retention/operator-owned';
import { signatureSchemes } from '../../shared/http/signatures/http-adapters';
import { deployToleranceSec } from '../../shared/http/signatures/deploy-request';
import { githubSignatureHeader } from '../../shared/http/signatures/github';
import type { BackupStatus } from '../../shared/backup/status';
import { instanceIdOf, type Target } from '../../shared/backup/targets';
import type { FcContext } from '../../shared/fc/events';
import { subjectOf } from '../../shared/history/history';
import type { HistoryRecord } from '../../shared/history/record';
import { follow } from '../../shared/tracking/follow';
import { followFor } from '../../shared/tracking/wiring';

const MAX_WAIT_SEC = 3600;

const deployRequest = z.strictObject({
  targets: z.array(z.unknown(), { error: 'must be an array of targets' }).check(z.minLength(1), z.maxLength(10_000)),
  deployId: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[A-Za-z0-9._:/#@+-]+$/, { error: 'must be 1–128 characters of letters, digits and . _ : / # @ + -' }),
    ),
  reason: z.optional(z.string().check(z.maxLength(500))),
  dryRun: z.optional(z.boolean()),
  wait: z.optional(z.int().check(z.minimum(0), z.maximum(MAX_WAIT_SEC))),
  maxTargets: z.optional(z.int().check(z.minimum(1))),
});
type DeployRequest = z.infer<typeof deployRequest>;

// The query is not signed, so the gate takes none: `wait` lives in the signed body (a `?wait=` is refused, 400).
const noQuery = z.strictObject({});

const secret = () => process.env.DEPLOY_HOOK_SECRET;

/** What a re-run needs to find the same backups: the targets as first resolved, and their keys. */
interface Manifest {
  deployId: string;
  reason?: string;
  createdAt: string;
  items: { target: Target; key: string }[];
}

interface JobReport {
  product: Target['product'];
  instanceId: string;
  key: string;
  jobId?: string;
  backupId?: string;
  state: BackupStatus['state'] | 'requesting';
  progress: number | null;
  outcome?: string;
  sizeBytes?: number;
  finishedAt?: string;
  error?: Record<string, unknown>;
}

const requestId = (deployId: string) => idempotencyKey('deploy-request', [deployId], null);

async function createBackups(req: HttpRequest, inv: Invocation, context: FcContext) {
  const body = req.body as DeployRequest;
  // Capped by the function's own deadline (its timeout minus the safety margin) below: the answer always comes back.
  const waitSec = body.wait ?? 0;
  const id = requestId(body.deployId);
  refuseRequestRetention(body.targets);
  const items = parseTargetsOrSelectors(body.targets);
  // A dry run never claims the deployId (nor ad-hoc slots): the real run that follows must not find it used up.
  if (body.dryRun) return dryRun(id, body, items, inv);
  const manifest = await manifestFor(id, body, items, inv);

  const origin = { trigger: 'deploy' as const, deployId: body.deployId };
  // Recorded before CreateBackup: a retryable failure CI never sends again, or a kill before the job is recorded,
  // still leaves a record the tracker follows (it hands the task to the worker, whose key finds any job made).
  await Promise.all(
    manifest.items.map(({ target, key }) =>
      inv.history.expect(subjectOf(key, target, origin)).catch((e: unknown) => inv.logger.error('backup not recorded in the history', { key, code: toBackupError(e).code })),
    ),
  );
  // The manifest's creation anchors the look a fresh claim makes for a job of this deploy (a record lost from the store).
  const results = await backupAll(manifest.items, { ...inv.deps, onJob: inv.history.recorder(origin), requestedAt: manifest.createdAt }, inv.config.concurrency);
  // A target refused for good is recorded (and alerted); a retryable failure is answered 503 and sent again by CI.
  await Promise.all(
    results.map((r) => (!r.ok && !r.error.retryable ? inv.history.refused(subjectOf(r.key, r.target, origin), r.error).catch(() => undefined) : undefined)),
  );
  // A replayed outcome whose first delivery could not record it (the store failed then) is recorded now.
  const recorder = inv.history.recorder(origin);
  await Promise.all(results.map((r) => (r.ok && r.outcome.outcome === 'replayed' ? recorder(r.outcome, r.target).catch(() => undefined) : undefined)));
  const until = earlier(inv.deps.deadline, Date.now() + waitSec * 1000);
  const records = await follow(manifest.items.map((i) => i.key), followFor(inv, context), until, inv.config.pollMs);
  const jobs = results.map((r, i): JobReport => {
    const base = { product: r.target.product, instanceId: instanceIdOf(r.target), key: r.key };
    if (!r.ok && r.error.retryable) return { ...base, state: 'failed', progress: null, error: r.error.toJSON() };
    return { ...base, ...recordFields(records[i]), ...(r.ok ? { outcome: r.outcome.outcome } : { error: r.error.toJSON() }) };
  });
  const retryable = results.some((r) => !r.ok && r.error.retryable);
  return jsonResponse(retryable ? 503 : jobs.every((j) => j.state === 'succeeded' || j.state === 'failed') ? 200 : 202, report(id, manifest, jobs), retryable ? { 'retry-after': '5' } : {});
}

/** The same targets in any order are the same request: the hash is over the sorted, canonical entries. */
const manifestHash = (targets: unknown[]) => payloadHash({ targets: targets.map(canonicalJson).sort() });

/** What the real run would do, claiming nothing: an existing manifest's jobs, or the targets resolved now. */
async function dryRun(id: string, body: DeployRequest, items: unknown[], inv: Invocation) {
  const existing = await inv.deps.store.get(id);
  if (existing && existing.payloadHash !== manifestHash(body.targets)) throw idempotencyMismatch(body.deployId);
  const manifest = existing?.status === 'completed' ? (existing.result as unknown as Manifest) : undefined;
  const planned =
    manifest?.items ??
    (await resolveTargets(items as never, inv.deps, { ...runLimit(inv.config.maxTargetsPerRun, body.maxTargets, 'maxTargets'), maxSelectors: inv.config.maxSelectorsPerRequest })).map(
      (target) => ({ target, key: idempotencyKey('deploy', [body.deployId], target) }),
    );
  const calls = await mapLimit(planned, inv.config.concurrency, ({ target, key }) => planBackup(target, key, inv.deps));
  return jsonResponse(200, { id, deployId: body.deployId, dryRun: true, calls });
}

/** The first request for a deployId records its targets; a re-run reuses them, so it resolves the same keys. */
async function manifestFor(id: string, body: DeployRequest, items: unknown[], inv: Invocation): Promise<Manifest> {
  const guard = { store: inv.deps.store, leaseMs: 60_000, ttlMs: inv.deps.recordTtlMs };
  const c = await claim(id, manifestHash(body.targets), guard);
  if (c.kind === 'replay') return c.record.result as unknown as Manifest;
  // A refused or failed resolution frees the deployId at once, so the corrected re-run is not told "in progress".
  const freeDeployId = async (e: unknown): Promise<never> => {
    await release(c.record, guard).catch(() => undefined);
    throw e;
  };
  const targets = await resolveTargets(items as never, inv.deps, { ...runLimit(inv.config.maxTargetsPerRun, body.maxTargets, 'maxTargets'), maxSelectors: inv.config.maxSelectorsPerRequest }).catch(freeDeployId);
  const manifestItems = targets.map((target) => ({ target, key: idempotencyKey('deploy', [body.deployId], target) }));
  // A new deployId is an ad-hoc backup of each database: within ADHOC_BACKUPS_PER_DAY, or none of them.
  await takeSlots(manifestItems, inv).catch(freeDeployId);
  const manifest: Manifest = {
    deployId: body.deployId,
    reason: body.reason,
    createdAt: new Date().toISOString(),
    items: manifestItems,
  };
  await complete(c.record, manifest as unknown as Record<string, unknown>, guard);
  return manifest;
}

async function takeSlots(items: Manifest['items'], inv: Invocation): Promise<void> {
  const taken: AdhocSlot[] = [];
  try {
    for (const { target, key } of items) taken.push(await takeAdhocSlot(inv.deps.store, { product: target.product, instanceId: instanceIdOf(target) }, key, inv.config.adhocBackupsPerDay));
  } catch (e) {
    await returnAdhocSlots(inv.deps.store, taken);
    throw e;
  }
}

async function readBackups(id: string, inv: Invocation, context: FcContext) {
  const record = await inv.deps.store.get(id);
  // Any completed record is in the same store; only a deploy request's has the manifest's items.
  if (record?.status !== 'completed' || !Array.isArray((record.result as Partial<Manifest> | undefined)?.items)) {
    throw new BackupError({ code: 'NotFound', category: 'not-found', message: `No deploy backup request ${id}; it may have expired after IDEMPOTENCY_TTL_SECONDS.` });
  }
  const manifest = record.result as unknown as Manifest;
  const records = await follow(manifest.items.map((i) => i.key), followFor(inv, context), earlier(inv.deps.deadline, 0), inv.config.pollMs);
  const jobs = await mapLimit(manifest.items, inv.config.concurrency, async ({ target, key }, i): Promise<JobReport> => {
    const base = { product: target.product, instanceId: instanceIdOf(target), key };
    const r = records[i];
    if (!r) return { ...base, state: (await inv.deps.store.get(key)) ? 'requesting' : 'unknown', progress: null };
    return { ...base, ...recordFields(r) };
  });
  const body = report(id, manifest, jobs);
  // Like the POST: 202 while any job runs, 200 once all are final, so a caller polling until 200 stops at the end.
  return jsonResponse(body.done ? 200 : 202, body);
}

/** The history record is the answer: the same one the tracker, the chat result and `status` read. */
function recordFields(r: HistoryRecord | undefined): Omit<JobReport, 'product' | 'instanceId' | 'key'> {
  if (!r) return { state: 'requesting', progress: null };
  const state: JobReport['state'] = r.state === 'succeeded' ? 'succeeded' : r.state === 'running' ? 'running' : r.state === 'dispatched' ? 'requesting' : 'failed';
  return {
    state,
    progress: state === 'succeeded' ? 100 : null,
    jobId: r.jobId,
    backupId: r.backupId,
    sizeBytes: r.sizeBytes,
    finishedAt: r.finishedAt ?? (state === 'failed' ? r.endedAt : undefined),
    ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
  };
}

function report(id: string, m: Manifest, jobs: JobReport[]) {
  return {
    id,
    deployId: m.deployId,
    ...(m.reason ? { reason: m.reason } : {}),
    createdAt: m.createdAt,
    done: jobs.every((j) => j.state === 'succeeded' || j.state === 'failed'),
    // No job (selectors that matched nothing) is not a success: nothing was backed up.
    ok: jobs.length > 0 && jobs.every((j) => j.state === 'succeeded'),
    jobs,
    statusPath: `/backups/${id}`,
  };
}

export const handler = httpApp({
  routes: [
    {
      method: 'POST',
      path: '/backups',
      auth: [
        verifySignature({ ...signatureSchemes.deploy, name: 'deploy gate', secret }),
        // A timestamp may be up to the tolerance ahead and is accepted until the tolerance after it: remember that long.
        // Keyed as the verifier reads it (trimmed, hex in any case), so a re-cased copy is the same delivery.
        refuseReplays({ name: 'deploy', idOf: (req) => req.headers[githubSignatureHeader]?.trim().toLowerCase(), windowMs: 2 * deployToleranceSec * 1000 + 1000, store: (r) => startInvocation(r.context).deps.store }),
      ],
      body: { allowed: ['application/json'] },
      use: [validate({ schema: deployRequest, querySchema: noQuery, what: 'deploy request' })],
      handler: (req, { context }) => createBackups(req, startInvocation(context), context),
    },
    {
      method: 'GET',
      path: '/backups/{id}',
      // Reads are signed the same way; they change nothing, so a read seen twice in the window is not refused.
      auth: verifySignature({ ...signatureSchemes.deploy, name: 'deploy status', secret }),
      handler: (_req, { context, params }) => readBackups(params.id ?? '', startInvocation(context), context),
    },
  ],
});
