// Which credentials sign a call: the function role's STS credentials from the FC context when present,
// else the ALIBABA_CLOUD_* variables (local runs, the CLI).
import { BackupError } from '../errors';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface CredentialSources {
  context?: { credentials?: Partial<Credentials> | null };
  env: Record<string, string | undefined>;
}

export function resolveCredentials({ context, env }: CredentialSources): Credentials {
  const c = context?.credentials;
  if (c?.accessKeyId && c.accessKeySecret) {
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken || undefined };
  }
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (id && secret) return { accessKeyId: id, accessKeySecret: secret, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined };
  throw new BackupError({
    code: 'MissingCredentials',
    category: 'auth',
    message:
      'No credentials: give the function a role (s.yaml `role`) so FC passes STS credentials, or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET.',
  });
}

/** Region: the target's RegionId, else the FC context's region, else ALIBABA_CLOUD_REGION. */
export function resolveRegion(targetRegion: string | undefined, contextRegion: string | undefined, env: Record<string, string | undefined>): string {
  const region = targetRegion || contextRegion || env.ALIBABA_CLOUD_REGION;
  if (region) return region;
  throw new BackupError({
    code: 'MissingRegion',
    category: 'validation',
    message: 'No region: set RegionId on the target, run in FC (its context has the region), or set ALIBABA_CLOUD_REGION.',
  });
}
