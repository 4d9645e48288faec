// The signing secrets the CLI reads from its environment, checked as the functions check them.
import { BackupError } from '../shared/errors';
import { checkSecret } from '../shared/http/signatures/secret';

/** The secret as the functions use it (trimmed, at least 16 bytes), so what the CLI signs is what they verify. */
export function secretFromEnv(env: string, what: string): string {
  const check = checkSecret(process.env[env]);
  if (!check.ok) throw new BackupError({ code: 'MissingSecret', category: 'auth', message: `Set ${env} to ${what} (the local stack prints its value): it ${check.problem}.` });
  return check.secret;
}

export const hookSecret = (): string => secretFromEnv('DEPLOY_HOOK_SECRET', 'the deploy webhook secret');
