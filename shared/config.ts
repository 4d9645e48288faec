// All configuration is read here, once per invocation, from the environment, and passed down. Nothing deeper
// reads process.env. A bad value is a validation error naming the variable, its value and the rule.
import { validationError, type FieldIssue } from './errors';

export interface Config {
  idempotencyStore: string | undefined;
  /** Prefix of the store's keys (Redis), so several deployments or test runs can share one server. */
  idempotencyKeyPrefix: string;
  recordTtlMs: number;
  /** How long the history keeps each backup's record (shared/history/). */
  historyRetentionMs: number;
  /** How long a claim holds without renewal (its holder renews it every third). */
  leaseMs: number;
  /** How late the list APIs may show a job just created. */
  listLagMs: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** undefined → derived from the function timeout (see deadline.ts). */
  deadlineSafetyMs: number | undefined;
  /** Targets for the timer when its payload has none (raw JSON, validated where used). */
  backupTargets: unknown;
  concurrency: number;
  /** Blast-radius guard: a run that would touch more databases is refused before any backup. */
  maxTargetsPerRun: number;
  /** Distinct tag selectors one request may hold: each costs list calls. */
  maxSelectorsPerRequest: number;
  /** Ad-hoc backups (chat, deploy gate) per database in any 24 hours, across all instances (shared/ratelimit). */
  adhocBackupsPerDay: number;
  /** Above this many targets the timer hands each target to backup-worker instead of calling the cloud itself. */
  fanoutThreshold: number;
  /** Worker invocations started per second during fan-out (each makes one CreateBackup: mind the API rate limits). */
  fanoutRatePerSec: number;
  /** The backup-worker function's name; fan-out and chatops need it. */
  workerFunction: string | undefined;
  /** CHATOPS_ACL as written (JSON); functions/chatops/acl.ts reads it and says what is wrong with it. */
  chatopsAcl: string | undefined;
  /** DINGTALK_CORP_ID: when set, a DingTalk message must carry this chatbotCorpId. */
  dingtalkCorpId: string | undefined;
  /** CHAT_REPLY_LOCAL_RECEIVER: the local stack's loopback receiver, the only reply address besides Slack's and DingTalk's. */
  chatReplyLocalReceiver: string | undefined;
  /** First poll period when waiting on a job (grows ×1.5 up to 15 s). */
  pollMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** LOG_FORMAT as set; unset → chosen per stream by logFormatFor. */
  logFormat: LogFormat | undefined;
  /** RETENTION_DELETE=off: retention plans and logs what it would delete, and deletes nothing. */
  retentionDelete: boolean;
  /** RETENTION_MIN_AGE: no backup younger than this is ever deleted, whatever the policy says. */
  retentionMinAgeMs: number;
  /** ADHOC_REPLACE_MIN_AGE: on a full PolarDB cluster, an ad-hoc backup of ours older than this may give up its slot. */
  adhocReplaceMinAgeMs: number;
  /** RETENTION_TIMEZONE: the days, weeks and months keepDaily/keepWeekly/keepMonthly count in. */
  retentionTimeZone: string;
  /** RESTORE_POINT_WATCH_INTERVAL: how often the tracker counts each database's restore points in the cloud. */
  restorePointWatchMs: number;
  /** RESTORE_POINT_WATCH_BATCH: databases counted per sweep at most. */
  restorePointWatchBatch: number;
  /** POSTURE_CHECK_INTERVAL: how often the tracker reads each database's backup settings for drift. */
  postureCheckMs: number;
  /** POSTURE_CHECK_BATCH: databases checked per sweep at most. */
  postureCheckBatch: number;
  /** Alert channels (shared/notifications/); each optional. */
  notifyDingtalkUrl: string | undefined;
  notifyDingtalkSecret: string | undefined;
  notifySlackUrl: string | undefined;
  /** The backup-tracker function's name, for fanning a large sweep out by shard. */
  trackerFunction: string | undefined;
  /** DRILL_FUNCTION: the restore-drill function the tracker asks to follow open drills (unset: no drills). */
  drillFunction: string | undefined;
  /** Status reads in flight at once per sweep invocation. */
  trackerConcurrency: number;
  /** Above this many outstanding records a sweep fans out one invocation per shard. */
  trackerShardCapacity: number;
  /** A dispatched worker task with no job after this long is lost and dispatched again. */
  lostAfterMs: number;
  /** Local hour (0–23) of the daily digest, in digestTimeZone; undefined = no digest. */
  digestHour: number | undefined;
  digestTimeZone: string;
  /** The report's and digest's "good backup within" window. */
  reportMaxAgeMs: number;
  /** POSTURE_RULES as parsed JSON; shared/posture/rules.ts validates it when the invocation starts. */
  postureRules: unknown;
  /** DASHBOARD_URL: the dashboard function's address, for the links the CLI and the chat report mint. */
  dashboardUrl: string | undefined;
  /** DASHBOARD_LINK_TTL: how long a minted dashboard link stays valid. */
  dashboardLinkTtlMs: number;
}

export type LogFormat = 'json' | 'pretty';

/**
 * JSON lines wherever a machine reads the log (FC, CI, a pipe, LOG_FORMAT=json); readable lines on a terminal.
 * Colour only on a terminal, and never with NO_COLOR (https://no-color.org).
 */
export function logFormatFor(stream: { isTTY?: boolean }, env: Env = process.env): { format: LogFormat; color: boolean } {
  const set = env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty' ? env.LOG_FORMAT : undefined;
  const tty = stream.isTTY === true;
  return { format: set ?? (tty ? 'pretty' : 'json'), color: tty && !env.NO_COLOR };
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number, issues: FieldIssue[], why = ''): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    issues.push({ field: name, value: raw, rule: `must be a whole number from ${min} to ${max}${why}` });
    return def;
  }
  return n;
}

export function loadConfig(env: Env): Config {
  const issues: FieldIssue[] = [];
  let backupTargets: unknown;
  if (env.BACKUP_TARGETS) {
    try {
      backupTargets = JSON.parse(env.BACKUP_TARGETS);
    } catch {
      issues.push({ field: 'BACKUP_TARGETS', value: env.BACKUP_TARGETS, rule: 'must be a JSON array of targets' });
    }
  }
  // The clock-hour limit let 2 + 2 requests straddle an hour (issue 16); a deployment still setting it gets a clear
  // refusal rather than a window it did not choose.
  if (env.ADHOC_BACKUPS_PER_HOUR !== undefined) {
    issues.push({ field: 'ADHOC_BACKUPS_PER_HOUR', value: env.ADHOC_BACKUPS_PER_HOUR, rule: 'is no longer read: set ADHOC_BACKUPS_PER_DAY (ad-hoc backups per database in any 24 hours, 1 to 100, default 3) and remove ADHOC_BACKUPS_PER_HOUR' });
  }
  const retentionDelete = env.RETENTION_DELETE || 'on';
  if (!['on', 'off'].includes(retentionDelete)) issues.push({ field: 'RETENTION_DELETE', value: retentionDelete, rule: 'must be on or off' });
  const level = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    issues.push({ field: 'LOG_LEVEL', value: level, rule: 'must be one of debug, info, warn, error' });
  }
  const format = env.LOG_FORMAT || undefined;
  if (format !== undefined && format !== 'json' && format !== 'pretty') {
    issues.push({ field: 'LOG_FORMAT', value: format, rule: 'must be json or pretty (unset: readable on a terminal, JSON otherwise)' });
  }
  const url = (name: string): string | undefined => {
    const v = env[name];
    if (!v) return undefined;
    if (!/^https?:\/\/[^\s]+$/.test(v)) issues.push({ field: name, value: '(hidden: it carries a token)', rule: 'must be an http:// or https:// URL' });
    return v;
  };
  const timeZone = env.DIGEST_TIMEZONE || 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    issues.push({ field: 'DIGEST_TIMEZONE', value: timeZone, rule: 'must be an IANA time zone such as Asia/Shanghai or UTC' });
  }
  const maxAge = parseDuration(env.REPORT_MAX_AGE ?? '26h');
  if (maxAge === undefined) issues.push({ field: 'REPORT_MAX_AGE', value: env.REPORT_MAX_AGE, rule: 'must be a duration like 26h, 90m or 2d' });
  let postureRules: unknown;
  if (env.POSTURE_RULES) {
    try {
      postureRules = JSON.parse(env.POSTURE_RULES);
    } catch {
      issues.push({ field: 'POSTURE_RULES', value: env.POSTURE_RULES, rule: 'must be JSON: {"default": {…rules}, "selectors": [{"tags": {…}, "rules": {…}}]}' });
    }
  }
  const ageFloor = (name: string, fallback: string, maxMs: number) => {
    const v = parseDuration(env[name] || fallback);
    if (v === undefined || v < 3_600_000 || v > maxMs) {
      issues.push({ field: name, value: env[name], rule: `must be a duration from 1h to ${Math.round(maxMs / 86_400_000)}d, like ${fallback}` });
      return parseDuration(fallback) as number;
    }
    return v;
  };
  const interval = (name: string, fallback: string) => {
    const v = parseDuration(env[name] || fallback);
    if (v === undefined || v < 1_000 || v > 7 * 86_400_000) {
      issues.push({ field: name, value: env[name], rule: `must be a duration from 1s to 7d, like ${fallback}` });
      return parseDuration(fallback) as number;
    }
    return v;
  };
  const retentionTimeZone = env.RETENTION_TIMEZONE || timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: retentionTimeZone });
  } catch {
    issues.push({ field: 'RETENTION_TIMEZONE', value: retentionTimeZone, rule: 'must be an IANA time zone such as Asia/Shanghai or UTC' });
  }
  const linkTtl = parseDuration(env.DASHBOARD_LINK_TTL || '8h');
  // The longest a link may live is shared/dashboard/token.ts's maxLinkTtlMs (7 days); a link shorter than a minute is no use.
  if (linkTtl === undefined || linkTtl < 60_000 || linkTtl > 7 * 86_400_000) issues.push({ field: 'DASHBOARD_LINK_TTL', value: env.DASHBOARD_LINK_TTL, rule: 'must be a duration from 1m to 7d, like 8h' });
  const safety = env.DEADLINE_SAFETY_MS ? int(env, 'DEADLINE_SAFETY_MS', 0, 0, 600_000, issues) : undefined;
  const config: Config = {
    idempotencyStore: env.IDEMPOTENCY_STORE || undefined,
    idempotencyKeyPrefix: env.IDEMPOTENCY_KEY_PREFIX || 'fcdb:idem:',
    // A record must outlive every redelivery of its event: FC retries an async event for up to its
    // maxAsyncEventAgeInSeconds (86,400 in s.yaml), and a record gone before that means a second backup.
    recordTtlMs:
      int(env, 'IDEMPOTENCY_TTL_SECONDS', 604_800, 86_400, 31_536_000, issues, " (at least FC's maxAsyncEventAgeInSeconds, 86400 in s.yaml: a record that expires before FC's last redelivery of its event lets that redelivery take a second backup)") * 1000,
    historyRetentionMs: int(env, 'HISTORY_RETENTION_DAYS', 40, 35, 3650, issues) * 86_400_000,
    leaseMs: int(env, 'IDEMPOTENCY_LEASE_MS', 30_000, 300, 600_000, issues),
    listLagMs: int(env, 'CLOUD_LIST_LAG_MS', 5_000, 0, 300_000, issues),
    connectTimeoutMs: int(env, 'CLOUD_CONNECT_TIMEOUT_MS', 5_000, 100, 60_000, issues),
    readTimeoutMs: int(env, 'CLOUD_READ_TIMEOUT_MS', 10_000, 100, 300_000, issues),
    deadlineSafetyMs: safety,
    backupTargets,
    concurrency: int(env, 'BACKUP_CONCURRENCY', 10, 1, 200, issues),
    maxTargetsPerRun: int(env, 'MAX_TARGETS_PER_RUN', 500, 1, 100_000, issues),
    maxSelectorsPerRequest: int(env, 'MAX_SELECTORS_PER_REQUEST', 20, 1, 1_000, issues),
    adhocBackupsPerDay: int(env, 'ADHOC_BACKUPS_PER_DAY', 3, 1, 100, issues),
    fanoutThreshold: int(env, 'FANOUT_THRESHOLD', 20, 0, 100_000, issues),
    fanoutRatePerSec: int(env, 'FANOUT_RATE_PER_SEC', 50, 1, 10_000, issues),
    workerFunction: env.WORKER_FUNCTION || undefined,
    chatopsAcl: env.CHATOPS_ACL,
    dingtalkCorpId: env.DINGTALK_CORP_ID?.trim() || undefined,
    chatReplyLocalReceiver: env.CHAT_REPLY_LOCAL_RECEIVER?.trim() || undefined,
    pollMs: int(env, 'STATUS_POLL_MS', 2_000, 10, 60_000, issues),
    logLevel: level as Config['logLevel'],
    logFormat: format as LogFormat | undefined,
    retentionDelete: retentionDelete !== 'off',
    retentionMinAgeMs: ageFloor('RETENTION_MIN_AGE', '24h', 365 * 86_400_000),
    adhocReplaceMinAgeMs: ageFloor('ADHOC_REPLACE_MIN_AGE', '24h', 30 * 86_400_000),
    retentionTimeZone,
    restorePointWatchMs: interval('RESTORE_POINT_WATCH_INTERVAL', '1h'),
    postureCheckMs: interval('POSTURE_CHECK_INTERVAL', '24h'),
    postureCheckBatch: int(env, 'POSTURE_CHECK_BATCH', 50, 0, 10_000, issues),
    restorePointWatchBatch: int(env, 'RESTORE_POINT_WATCH_BATCH', 50, 0, 10_000, issues),
    notifyDingtalkUrl: url('NOTIFY_DINGTALK_WEBHOOK_URL'),
    notifyDingtalkSecret: env.NOTIFY_DINGTALK_SECRET || undefined,
    notifySlackUrl: url('NOTIFY_SLACK_WEBHOOK_URL'),
    trackerFunction: env.TRACKER_FUNCTION || undefined,
    drillFunction: env.DRILL_FUNCTION || undefined,
    trackerConcurrency: int(env, 'TRACKER_CONCURRENCY', 50, 1, 500, issues),
    trackerShardCapacity: int(env, 'TRACKER_SHARD_CAPACITY', 2_000, 1, 1_000_000, issues),
    lostAfterMs: int(env, 'TRACKER_LOST_AFTER_SEC', 300, 1, 86_400, issues) * 1000,
    digestHour: env.DIGEST_HOUR ? int(env, 'DIGEST_HOUR', 8, 0, 23, issues) : undefined,
    digestTimeZone: timeZone,
    reportMaxAgeMs: maxAge ?? 26 * 3_600_000,
    postureRules,
    dashboardUrl: url('DASHBOARD_URL'),
    dashboardLinkTtlMs: linkTtl ?? 8 * 3_600_000,
  };
  issues.push(...disagreements(config, env));
  if (issues.length > 0) throw validationError(issues, 'configuration');
  return config;
}

/** Margin the lease keeps over one call's connect: the renewal's own write and the request's start. */
const LEASE_MARGIN_MS = 500;

/**
 * Settings each valid alone that together can never work, each named with the ones it must agree with. A run that
 * fails retryably on every delivery is the worst outcome: FC redelivers it forever and no backup is ever taken.
 */
function disagreements(c: Config, env: Env): FieldIssue[] {
  const out: FieldIssue[] = [];
  // The claim must be ours while a CreateBackup connects (shared/backup/engine.ts: lease.assertHeld before the call).
  const call = Math.min(c.connectTimeoutMs, c.readTimeoutMs);
  if (c.leaseMs < call + LEASE_MARGIN_MS) {
    const which = c.connectTimeoutMs <= c.readTimeoutMs ? `CLOUD_CONNECT_TIMEOUT_MS (${c.connectTimeoutMs})` : `CLOUD_READ_TIMEOUT_MS (${c.readTimeoutMs})`;
    out.push({
      field: 'IDEMPOTENCY_LEASE_MS',
      value: c.leaseMs,
      rule: `must be at least ${call + LEASE_MARGIN_MS}: ${LEASE_MARGIN_MS} ms more than ${which}, or every backup stops with "lost the idempotency lease" before it reaches the cloud, and FC redelivers it forever`,
    });
  }
  // Known outside FC only (FC gives the timeout in the context): time kept back must leave time to work.
  const timeoutSec = Number(env.FC_TIMEOUT);
  if (c.deadlineSafetyMs !== undefined && Number.isFinite(timeoutSec) && timeoutSec > 0 && c.deadlineSafetyMs >= timeoutSec * 1000) {
    out.push({ field: 'DEADLINE_SAFETY_MS', value: c.deadlineSafetyMs, rule: `must be less than FC_TIMEOUT (${timeoutSec} s = ${timeoutSec * 1000} ms), or every invocation starts out of time` });
  }
  return out;
}

/** `26h`, `90m`, `2d`, `45s` → milliseconds; anything else → undefined. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : undefined;
}
