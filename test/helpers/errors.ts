import { expect } from 'vitest';
import { BackupError } from '../../shared/errors';

/** The BackupError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(p: Promise<unknown>): Promise<BackupError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(BackupError);
  return e as BackupError;
}
