// Chooses the idempotency backend from the IDEMPOTENCY_STORE setting. The caller reads the setting at the edge;
// neither this nor the stores read the environment.
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validationError } from '../errors';
import { FileStore } from './file-store';
import { RedisStore } from './redis-store';
import type { IdempotencyStore } from './store';

export interface StoreFactoryOptions {
  /** The file store's directory when the setting names none. */
  dir?: string;
  /** The Redis key prefix (the file store's namespace is its directory). */
  keyPrefix?: string;
  /**
   * Running inside Function Compute: the default (unset) file store is then refused. FC runs concurrent invocations
   * on separate instances with separate disks, so a per-instance store lets two instances take two backups.
   */
  inFc?: boolean;
  /** Where a risky Redis setting seen at connect is reported (a warning log line). */
  onRisk?: (warning: string) => void;
}

/**
 * Inside FC's runtime: it sets FC_FUNCTION_NAME and FC_INSTANCE_ID on every instance (reserved FC_* system variables,
 * https://www.alibabacloud.com/help/en/functioncompute/fc/environment-variables); FC_ACCOUNT_ID is not used as a
 * sign because the CLI and the local stack set it outside FC.
 */
export const runsInFc = (env: Record<string, string | undefined>): boolean => Boolean(env.FC_INSTANCE_ID || env.FC_FUNCTION_NAME);

// Memory-backed /dev/shm when the machine has one (Linux, FC included): a record there outlives the process that
// wrote it — all the durability an instance's /tmp gives either — and its file operations take tens of
// microseconds instead of the ~0.8 ms a disk-backed /tmp took per record on the bench machine (bench/results.md).
const shm = '/dev/shm';
export const defaultDir = join(isWritableDir(shm) ? shm : tmpdir(), 'fc-db-backup-idempotency');

function isWritableDir(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `redis://…` / `rediss://…` → RedisStore; `file:<dir>`, `file:///dir`, `file:` or empty → FileStore. */
export function createStore(setting: string | undefined, opts: StoreFactoryOptions = {}): IdempotencyStore {
  const value = setting?.trim() ?? '';
  if (/^rediss?:\/\//i.test(value)) return new RedisStore({ url: value, keyPrefix: opts.keyPrefix, onRisk: opts.onRisk });
  if (value === '' && opts.inFc) throw unsharedInFc();
  if (value === '' || value.startsWith('file:')) return new FileStore({ dir: fileDir(value) ?? opts.dir ?? defaultDir });
  throw invalidSetting(value);
}

function fileDir(value: string): string | undefined {
  if (value.startsWith('file://')) {
    try {
      return fileURLToPath(value);
    } catch {
      throw invalidSetting(value);
    }
  }
  const path = value.slice('file:'.length);
  return path === '' ? undefined : resolve(path);
}

const unsharedInFc = () =>
  validationError(
    [
      {
        field: 'IDEMPOTENCY_STORE',
        value: undefined,
        rule:
          'must be set inside Function Compute, to redis://host:6379/0 (a store every instance shares): FC runs concurrent ' +
          'invocations on separate instances, and the default file store lives on one instance, so two instances would each ' +
          'take a backup. Set file:/path to choose the per-instance file store explicitly (a single instance only)',
      },
    ],
    'setting',
  );

const invalidSetting = (value: string) =>
  validationError(
    [
      {
        field: 'IDEMPOTENCY_STORE',
        // A mistyped Redis URL may carry a password.
        value: value.replace(/\/\/[^/@]*@/, '//***@'),
        rule: `expected redis://host:port or rediss://host:port (Redis), file:<dir> or file:///<dir> (files), or empty (files in ${defaultDir})`,
      },
    ],
    'setting',
  );
