// Everything one invocation needs, assembled once at the edge from the FC context and the environment.
import { loadConfig, logFormatFor, type Config, type LogFormat } from '../config';
import { resolveCredentials } from '../cloud/credentials';
import { createDeadline } from '../deadline';
import type { EngineDeps } from '../backup/engine';
import type { FcContext } from './events';
import { createStore, runsInFc } from '../idempotency/store-factory';
import type { IdempotencyStore } from '../idempotency/store';
import { createLogger, type Logger } from '../logger';
import type { History } from '../history/history';
import { historyFor } from '../history/for-store';
import { beforeCreate, type RetentionDeps } from '../retention/enforce';
import { parsePostureRules, type PostureRules } from '../posture/rules';

export interface Invocation {
  config: Config;
  logger: Logger;
  deps: EngineDeps;
  /** The backups' records, beside the idempotency records in the same store. */
  history: History;
  /** What retention needs: the history, RETENTION_DELETE, the log and the deadline. */
  retention: RetentionDeps;
  functionName: string;
  /** POSTURE_RULES, validated: a malformed rule refuses the invocation here, naming field, value and rule. */
  posture: PostureRules;
}

// One store per setting for the life of the instance: a warm FC instance reuses its Redis connection.
const stores = new Map<string, IdempotencyStore>();

function storeFor(setting: string | undefined, keyPrefix: string, inFc: boolean, logger: Logger): IdempotencyStore {
  const id = `${setting ?? ''}|${keyPrefix}`;
  const cached = stores.get(id);
  if (cached) return cached;
  const store = createStore(setting, { keyPrefix, inFc, onRisk: (warning) => logger.warn('idempotency store setting puts exactly-once at risk', { warning }) });
  stores.set(id, store);
  return store;
}

/** Closes cached stores (tests and the local stack; FC instances just freeze). */
export async function closeStores(): Promise<void> {
  const all = [...stores.values()];
  stores.clear();
  await Promise.all(all.map((s) => s.close()));
}

export interface InvocationOptions {
  env?: Record<string, string | undefined>;
  startedAt?: number;
  /** Where log lines go; default stdout, which FC collects. */
  sink?: (line: string) => void;
  /** How lines look there (see logFormatFor); default JSON with a sink, else chosen for stdout. */
  log?: { format: LogFormat; color: boolean };
}

export function startInvocation(context: FcContext, o: InvocationOptions = {}): Invocation {
  const env = o.env ?? process.env;
  const startedAt = o.startedAt ?? Date.now();
  const config = loadConfig(env);
  const posture = parsePostureRules(config.postureRules);
  const functionName = context.function?.name ?? env.FC_FUNCTION_NAME ?? 'local';
  const logger = createLogger({ requestId: context.requestId, level: config.logLevel, sink: o.sink, ...(o.log ?? (o.sink ? {} : logFormatFor(process.stdout, env))), base: { function: functionName } });
  const deadline = createDeadline({
    startedAt,
    timeoutSec: context.function?.timeout ?? Number(env.FC_TIMEOUT ?? 60),
    safetyMarginMs: config.deadlineSafetyMs,
  });
  const store = storeFor(config.idempotencyStore, config.idempotencyKeyPrefix, runsInFc(env), logger);
  const history = historyFor(store, { retentionMs: config.historyRetentionMs, lostAfterMs: config.lostAfterMs });
  const retention: RetentionDeps = {
    history,
    logger,
    deadline,
    enabled: config.retentionDelete,
    minAgeMs: config.retentionMinAgeMs,
    adhocReplaceMinAgeMs: config.adhocReplaceMinAgeMs,
    timeZone: config.retentionTimeZone,
  };
  return {
    config,
    logger,
    functionName,
    history,
    retention,
    posture,
    deps: {
      store,
      deadline,
      logger,
      credentials: () => resolveCredentials({ context, env }),
      contextRegion: context.region,
      env,
      timeouts: { connectMs: config.connectTimeoutMs, readMs: config.readTimeoutMs },
      recordTtlMs: config.recordTtlMs,
      leaseMs: config.leaseMs,
      listLagMs: config.listLagMs,
      beforeCreate: beforeCreate(retention),
      heldForAnother: async (found, key) => {
        for (const ref of [found.jobId, found.backupId]) if (ref && (await history.find(ref)).some((r) => r.id !== key)) return true;
        return false;
      },
    },
  };
}
