// What the local cloud can be told to do wrong (faults injected over /__admin/faults or in-process), and the log
// of every request it answered: shared by the RPC server and the FC endpoint.
import type { Product } from './products';

/**
 * 'set-id-differs': the next job CreateBackup makes lists its backup set under an id of its own, not the job id
 * (PolarDB documents them as one id; this is the case the tracker must survive if they ever are not).
 * 'restore-fails': the next restore (CloneDBInstance, CreateDBCluster, CreateDBInstance) on this request ends CreateFailed, as from a bad backup set.
 */
export type FaultKind = 'drop-after-create' | 'status' | 'throttle' | 'latency' | 'reset' | 'timeout' | 'job-fails' | 'set-id-differs' | 'restore-fails' | 'function-error';

export interface Fault {
  /** Matches the API action (CreateBackup, DescribeBackupTasks, InvokeFunction, ...); any when omitted. */
  action?: string;
  product?: Product | 'fc';
  instanceId?: string;
  kind: FaultKind;
  /** For 'status': the HTTP status and error code answered (default 503 ServiceUnavailable). */
  status?: number;
  code?: string;
  /** For 'latency' and 'timeout'. */
  ms?: number;
  /** How many matching requests it affects; default 1. */
  times?: number;
  /** Lets this many matching requests through untouched first (a read that works, then the ones that fail). */
  skip?: number;
}

export interface RequestLog {
  product: Product | 'fc' | 'unknown';
  action: string;
  query: Record<string, string>;
  accessKeyId?: string;
  securityToken?: string;
  status: number;
  code?: string;
  fault?: FaultKind;
  at: number;
}
