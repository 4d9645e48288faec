// The restore drills' configuration: the operator's alone, read from the environment at the edge (never from a
// request). Kept apart from shared/config.ts. A bad value is refused naming the variable, its value and the rule.
import * as z from 'zod/mini';
import { parseTargetsOrSelectors, type TagSelector } from '../backup/discovery';
import type { Target } from '../backup/targets';
import { validationError, type FieldIssue } from '../errors';
import { parseDuration } from '../config';

export interface DrillConfig {
  /** DRILL_TARGETS: the databases drilled, ids or tag selectors exactly as BACKUP_TARGETS; empty: no drills. */
  targets: (Target | TagSelector)[];
  /** DRILL_CONCURRENCY: drills started per timer firing (default 1). */
  concurrency: number;
  /** DRILL_BACKUP: this tool's newest good backup, or a random good one within the window. */
  backup: 'latest' | 'random';
  randomWindowMs: number;
  /** DRILL_INSTANCE_CLASS / DRILL_STORAGE_GB: overrides of the catalog's smallest. */
  instanceClass?: string;
  storageGb?: number;
  /** DRILL_VPC_ID / DRILL_VSWITCH_ID: overrides of the source's network. */
  vpcId?: string;
  vSwitchId?: string;
  /** DRILL_MAX_LIFETIME: the instance is released this long after the request, whatever validation does. */
  maxLifetimeMs: number;
  /** DRILL_PERIOD: one drill per source per period (default 7d, the weekly timer). */
  periodMs: number;
  validatorFunction?: string;
  /** DRILL_VALIDATOR_TIMEOUT: one validator call's wait; one that does not answer is asked again on the next look. */
  validatorTimeoutMs: number;
  /** DRILL_RELEASE_ATTEMPTS: failed releases before release-failed and the hand-release alert. */
  releaseAttempts: number;
}

type Env = Record<string, string | undefined>;

const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

export function loadDrillConfig(env: Env): DrillConfig {
  const issues: FieldIssue[] = [];
  const duration = (name: string, fallback: string, minMs: number, maxMs: number, words: string): number => {
    const raw = env[name] || fallback;
    const ms = parseDuration(raw);
    if (ms === undefined || ms < minMs || ms > maxMs) {
      issues.push({ field: name, value: env[name], rule: `must be a duration ${words}, like ${fallback}` });
      return parseDuration(fallback) as number;
    }
    return ms;
  };
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const r = z.coerce.number().check(z.int(), z.gte(min), z.lte(max)).safeParse(raw);
    if (!r.success) {
      issues.push({ field: name, value: raw, rule: `must be a whole number from ${min} to ${max}` });
      return fallback;
    }
    return r.data;
  };
  let targets: (Target | TagSelector)[] = [];
  if (env.DRILL_TARGETS) {
    try {
      targets = parseTargetsOrSelectors(JSON.parse(env.DRILL_TARGETS), 'DRILL_TARGETS');
    } catch (e) {
      if (e instanceof SyntaxError) issues.push({ field: 'DRILL_TARGETS', value: env.DRILL_TARGETS, rule: 'must be a JSON array of targets or tag selectors, as BACKUP_TARGETS' });
      else {
        const inner = (e as { details?: { issues?: FieldIssue[] } }).details?.issues;
        if (!inner) throw e;
        issues.push(...inner);
      }
    }
  }
  const backup = env.DRILL_BACKUP || 'latest';
  if (backup !== 'latest' && backup !== 'random') issues.push({ field: 'DRILL_BACKUP', value: backup, rule: 'must be latest or random' });
  const instanceClass = env.DRILL_INSTANCE_CLASS?.trim() || undefined;
  if (instanceClass !== undefined && !/^[a-z0-9.-]{3,64}$/i.test(instanceClass)) issues.push({ field: 'DRILL_INSTANCE_CLASS', value: instanceClass, rule: 'must be an instance class code such as mysql.n2.medium.1' });
  const validator = env.DRILL_VALIDATOR_FUNCTION?.trim() || undefined;
  if (validator !== undefined && !FUNCTION_NAME.test(validator)) issues.push({ field: 'DRILL_VALIDATOR_FUNCTION', value: validator, rule: 'must be an FC 3.0 function name ([A-Za-z_][A-Za-z0-9_-]*, ≤128)' });
  const id = (name: string, prefix: string) => {
    const v = env[name]?.trim() || undefined;
    if (v !== undefined && !new RegExp(`^${prefix}-[a-z0-9]{1,64}$`).test(v)) issues.push({ field: name, value: v, rule: `must be a ${prefix}-… id` });
    return v;
  };
  const config: DrillConfig = {
    targets,
    concurrency: whole('DRILL_CONCURRENCY', 1, 1, 20),
    backup: backup as DrillConfig['backup'],
    randomWindowMs: whole('DRILL_RANDOM_WINDOW_DAYS', 7, 1, 365) * 86_400_000,
    instanceClass,
    storageGb: env.DRILL_STORAGE_GB ? whole('DRILL_STORAGE_GB', 20, 5, 32_000) : undefined,
    vpcId: id('DRILL_VPC_ID', 'vpc'),
    vSwitchId: id('DRILL_VSWITCH_ID', 'vsw'),
    // A temporary instance is billed by the hour: at least the restore itself, at most a day.
    maxLifetimeMs: duration('DRILL_MAX_LIFETIME', '2h', 60_000, 86_400_000, 'from 1m to 24h'),
    periodMs: duration('DRILL_PERIOD', '7d', 60_000, 90 * 86_400_000, 'from 1m to 90d'),
    validatorFunction: validator,
    validatorTimeoutMs: duration('DRILL_VALIDATOR_TIMEOUT', '30s', 1_000, 600_000, 'from 1s to 10m'),
    releaseAttempts: whole('DRILL_RELEASE_ATTEMPTS', 5, 1, 100),
  };
  if (issues.length > 0) throw validationError(issues, 'drill configuration');
  return config;
}
