// The local cloud: one loopback HTTP server that speaks the RDS, PolarDB and MongoDB RPC APIs (routed by the
// x-acs-version header, as the SDK sends it) and FC 3.0's InvokeFunction, checks every signature, and injects
// faults on demand. Tests drive it in-process; `npm start` runs it; /__admin/* controls it from another process.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { parseRawQuery, verifyAcs3, type Acs3Failure, type Credential } from './acs3';
import { startFc, type FcTask, type FcOptions } from './fc';
import { listen } from '../listen';
import type { Fault, RequestLog } from './faults';
import { answerMessage } from './unconfirmed-codes';
import { backupPolicyApis, defaultPolicies, samplePolicies, type PolicyFields } from './backup-policy';
import { restoreApis, restoreCreateActions, restoreOptionsFromEnv, type RestoreOptions } from './restore';
import { ApiError, apiByVersion, DEFAULT_MONGO_SHAPE, instanceKey, phase, productApis, type CloudState, type Instance, type Job, type MongoShape, type Product } from './products';

export interface InstanceSeed {
  product: Product;
  id: string;
  regionId?: string;
  status?: string;
  tags?: Record<string, string>;
  /** RDS Engine; default MySQL. */
  engine?: string;
  /** Every backup of this instance ends Failed. */
  failBackups?: boolean;
  /** Its daily automated backup: starts at `startMs` past UTC midnight, runs `durationMs` (default the job duration). */
  automatedBackup?: { startMs: number; durationMs?: number };
  /** Its backup settings (DescribeBackupPolicy's fields), over the product's defaults (backup-policy.ts). */
  backupPolicy?: PolicyFields;
  /** MongoDB: its architecture and storage, over a local-SSD three-node replica set. */
  mongo?: Partial<MongoShape>;
}

export interface LocalCloudOptions extends Omit<FcOptions, 'credentials' | 'now'> {
  port?: number;
  credentials?: Credential[];
  jobDurationMs?: number;
  /** A new job shows in the list APIs only this long after it was created (default 0). */
  listLagMs?: number;
  /** Added before every API answer. */
  latencyMs?: number;
  instances?: InstanceSeed[];
  now?: () => number;
  /** How long a restored instance is Creating and a released one Deleting (default LOCAL_RESTORE_MS / LOCAL_RELEASE_MS). */
  restore?: Partial<RestoreOptions>;
}

export interface LocalCloud {
  url: string;
  port: number;
  credentials: Credential[];
  requests: RequestLog[];
  fcTasks: FcTask[];
  addInstance(seed: InstanceSeed): void;
  setInstanceStatus(product: Product, id: string, status: string): void;
  /** Every job ever created, oldest first, with its current state. */
  jobs(product?: Product, instanceId?: string): (Job & { state: string })[];
  /** Deletes a finished backup set, as a user would in the console (frees one of PolarDB's 3 manual slots). */
  deleteBackup(product: Product, backupId: string): void;
  /** Moves a backup's creation time `ms` into the past: age rules (RDS deletes only sets older than 7 days) without moving the signing clock. */
  backdate(product: Product, backupId: string, ms: number): void;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Every instance a restore created (drills), with whether it still exists. */
  restored(product?: Product, sourceId?: string): { product: Product; id: string; sourceId: string; name?: string; tags: Record<string, string>; exists: boolean; status?: string }[];
  /** Forget jobs, requests, faults and FC tasks; re-seed the default instances. */
  reset(): void;
  /** Resolves when no FC async task is running or waiting for a retry. */
  fcIdle(): Promise<void>;
  setLatency(ms: number): void;
  setListLag(ms: number): void;
  close(): Promise<void>;
}

export const defaultCredentials: Credential[] = [
  { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
  { accessKeyId: 'STS.local', accessKeySecret: 'sts-secret', securityToken: 'sts-token' },
];

export const sampleInstances: InstanceSeed[] = [
  { product: 'rds', id: 'rm-sample1', tags: { backup: 'nightly', team: 'payments' }, backupPolicy: samplePolicies.rmSample1 },
  { product: 'rds', id: 'rm-sample2', tags: { backup: 'nightly' }, backupPolicy: samplePolicies.rmSample2 },
  { product: 'polardb', id: 'pc-sample1', tags: { backup: 'nightly' }, backupPolicy: samplePolicies.pcSample1 },
  { product: 'mongodb', id: 'dds-sample1', tags: { backup: 'weekly' }, backupPolicy: samplePolicies.ddsSample1 },
];

// The gateway's answers to a bad signature, per the common error codes (alibaba-api-facts.md §3).
const rpcAuthError: Record<Acs3Failure, [number, string]> = {
  incomplete: [400, 'IncompleteSignature'],
  'unknown-key': [404, 'InvalidAccessKeyId.NotFound'],
  mismatch: [400, 'SignatureDoesNotMatch'],
  token: [400, 'InvalidSecurityToken.Mismatch'],
  timestamp: [400, 'IllegalTimestamp'],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits ms, or less if the client hangs up first, so a held request never outlives its connection. */
const hold = (req: IncomingMessage, ms: number) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    req.socket.once('close', () => {
      clearTimeout(t);
      r();
    });
  });

export async function startLocalCloud(opts: LocalCloudOptions = {}): Promise<LocalCloud> {
  const credentials = opts.credentials ?? defaultCredentials;
  const now = opts.now ?? Date.now;
  let counter = 5_073_731;
  const state: CloudState = {
    instances: new Map<string, Instance>(),
    jobs: [],
    tokens: new Map(),
    jobDurationMs: opts.jobDurationMs ?? 2_000,
    listLagMs: opts.listLagMs ?? 0,
    now,
    nextId: () => counter++,
    failNextJob: false,
    renameNextSet: false,
  };
  const restore = restoreApis({ ...restoreOptionsFromEnv(), ...opts.restore });
  let latencyMs = opts.latencyMs ?? 0;
  let faults: (Fault & { left: number; skipLeft: number })[] = [];
  const requests: RequestLog[] = [];
  const sockets = new Set<Socket>();

  const addInstance = (seed: InstanceSeed) =>
    state.instances.set(instanceKey(seed.product, seed.id), {
      product: seed.product,
      id: seed.id,
      regionId: seed.regionId ?? 'cn-hangzhou',
      status: seed.status ?? 'Running',
      tags: seed.tags ?? {},
      engine: seed.engine ?? 'MySQL',
      failBackups: seed.failBackups ?? false,
      backupWindowStartMs: seed.automatedBackup?.startMs,
      automatedDurationMs: seed.automatedBackup?.durationMs,
      backupPolicy: { ...defaultPolicies[seed.product], ...seed.backupPolicy },
      ...(seed.product === 'mongodb' ? { mongo: { ...DEFAULT_MONGO_SHAPE, ...seed.mongo } } : {}),
    });
  const seed = () => (opts.instances ?? sampleInstances).forEach(addInstance);
  seed();

  /** Consumes and returns the first fault matching this request. */
  const takeFault = (product: Product | 'fc', action: string, instanceId: string | undefined): Fault | undefined => {
    const i = faults.findIndex(
      (f) =>
        (f.product === undefined || f.product === product) &&
        (f.action === undefined || f.action === action) &&
        (f.instanceId === undefined || f.instanceId === instanceId) &&
        // Only a call that creates a job can make one fail; reads must not use the fault up.
        ((f.kind !== 'job-fails' && f.kind !== 'set-id-differs') || action === 'CreateBackup') &&
        (f.kind !== 'restore-fails' || restoreCreateActions.has(action)),
    );
    if (i < 0) return undefined;
    const f = faults[i] as Fault & { left: number; skipLeft: number };
    if (f.skipLeft > 0) {
      f.skipLeft -= 1;
      return undefined;
    }
    f.left -= 1;
    if (f.left <= 0) faults.splice(i, 1);
    return f;
  };

  const fc = startFc({ ...opts, credentials, now, takeFault: (action, fn) => takeFault('fc', action, fn), log: (r) => requests.push(r) });

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const apiError = (res: ServerResponse, status: number, code: string, message: string) => {
    const requestId = randomUUID().toUpperCase();
    send(res, status, { RequestId: requestId, HostId: 'local-cloud', Code: code, Message: answerMessage(code, message), Recommend: `https://api.aliyun.com/troubleshoot?q=${code}` });
  };

  async function rpc(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const [, rawQuery = ''] = (req.url ?? '/').split('?');
    const params: Record<string, string> = { ...parseRawQuery(rawQuery), ...parseRawQuery(body.toString('utf8')) };
    const version = String(req.headers['x-acs-version'] ?? params.Version ?? '');
    const action = String(req.headers['x-acs-action'] ?? params.Action ?? '');
    const api = apiByVersion.get(version);
    const log: RequestLog = { product: api?.product ?? 'unknown', action, query: params, status: 200, at: now() };
    requests.push(log);
    const fail = (status: number, code: string, message: string) => {
      log.status = status;
      log.code = code;
      apiError(res, status, code, message);
    };
    if (latencyMs > 0) await sleep(latencyMs);

    const auth = verifyAcs3({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, credentials, now());
    if (!auth.ok) {
      const [status, code] = rpcAuthError[auth.reason];
      return fail(status, code, auth.message);
    }
    log.accessKeyId = auth.accessKeyId;
    log.securityToken = auth.securityToken;
    if (!api) return fail(400, 'InvalidVersion', `Specified parameter Version "${version}" is not valid.`);
    const handler = restore.actions[api.product][action] ?? api.actions[action] ?? backupPolicyApis[api.product][action];
    if (!handler) return fail(404, 'InvalidAction.NotFound', `Specified api "${action}" is not found, please check your url and method.`);

    const fault = takeFault(api.product, action, params[api.idParam]);
    log.fault = fault?.kind;
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'status') return fail(fault.status ?? 503, fault.code ?? 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
    if (fault?.kind === 'throttle') return fail(400, 'Throttling.User', 'Request was denied due to user flow control.');
    if (fault?.kind === 'latency') await hold(req, fault.ms ?? 1_000);
    if (fault?.kind === 'job-fails' || fault?.kind === 'restore-fails') state.failNextJob = true;
    if (fault?.kind === 'set-id-differs') state.renameNextSet = true;
    restore.tick(state);

    let result: Record<string, unknown>;
    try {
      result = handler(params, state);
    } catch (e) {
      state.failNextJob = false;
      state.renameNextSet = false;
      if (e instanceof ApiError) return fail(e.status, e.code, e.message);
      throw e;
    }
    // The action took effect; now lose or stall the answer if asked to.
    if (fault?.kind === 'drop-after-create') return void req.socket.destroy();
    if (fault?.kind === 'timeout') {
      await hold(req, fault.ms ?? 30_000);
      return void req.socket.destroy();
    }
    send(res, 200, { RequestId: randomUUID().toUpperCase(), ...result });
  }

  function admin(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    const json = () => (body.length ? (JSON.parse(body.toString('utf8')) as unknown) : {});
    if (path === '/__admin/faults' && req.method === 'POST') return cloud.inject(json() as Fault), send(res, 200, { ok: true });
    if (path === '/__admin/faults' && req.method === 'DELETE') return cloud.clearFaults(), send(res, 200, { ok: true });
    if (path === '/__admin/jobs') return send(res, 200, cloud.jobs());
    if (path === '/__admin/requests') return send(res, 200, requests);
    if (path === '/__admin/fc') return send(res, 200, fc.tasks);
    if (path === '/__admin/instances' && req.method === 'POST') return cloud.addInstance(json() as InstanceSeed), send(res, 200, { ok: true });
    if (path === '/__admin/list-lag' && req.method === 'POST') return cloud.setListLag(Number((json() as { ms?: number }).ms ?? 0)), send(res, 200, { ok: true });
    if (path === '/__admin/reset' && req.method === 'POST') return cloud.reset(), send(res, 200, { ok: true });
    send(res, 404, { error: 'unknown admin route' });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const work = url.startsWith('/__admin/')
        ? Promise.resolve(admin(req, body, res))
        : fc.handles(url)
          ? fc.invoke(req, body, res)
          : rpc(req, body, res);
      work.catch((e: unknown) => {
        if (!res.headersSent && !res.destroyed) apiError(res, 500, 'InternalError', `local cloud bug: ${(e as Error).message}`);
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await listen(server, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;

  const cloud: LocalCloud = {
    url: `http://127.0.0.1:${port}`,
    port,
    credentials,
    requests,
    fcTasks: fc.tasks,
    addInstance,
    setInstanceStatus(product, id, status) {
      const inst = state.instances.get(instanceKey(product, id));
      if (!inst) throw new Error(`no ${product} instance ${id}`);
      inst.status = status;
    },
    jobs: (product, instanceId) =>
      state.jobs
        .filter((j) => (product === undefined || j.product === product) && (instanceId === undefined || j.instanceId === instanceId))
        .map((j) => {
          const ph = phase(j, state);
          return { ...j, state: ph.state === 'finished' ? (j.fails ? 'failed' : 'succeeded') : ph.state };
        }),
    // Number(): over /__admin JSON cannot carry Infinity, so "Infinity" arrives as a string.
    deleteBackup(product, backupId) {
      const job = state.jobs.find((j) => j.product === product && j.backupId === backupId && phase(j, state).state === 'finished');
      if (!job) throw new Error(`no finished ${product} backup ${backupId}`);
      job.deleted = true;
    },
    backdate(product, backupId, ms) {
      const job = state.jobs.find((j) => j.product === product && j.backupId === backupId);
      if (!job) throw new Error(`no ${product} backup ${backupId}`);
      job.createdAt -= ms;
    },
    inject: (f) => faults.push({ ...f, left: Number(f.times ?? 1), skipLeft: Number(f.skip ?? 0) }),
    clearFaults: () => {
      faults = [];
    },
    reset() {
      state.jobs.length = 0;
      state.tokens.clear();
      state.instances.clear();
      state.failNextJob = false;
      state.renameNextSet = false;
      restore.reset();
      requests.length = 0;
      faults = [];
      fc.reset();
      seed();
    },
    restored: (product, sourceId) => restore.restored(state).filter((r) => (!product || r.product === product) && (!sourceId || r.sourceId === sourceId)),
    fcIdle: () => fc.idle(),
    setLatency(ms) {
      latencyMs = ms;
    },
    setListLag(ms) {
      state.listLagMs = ms;
    },
    close: async () => {
      await fc.idle();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return cloud;
}
