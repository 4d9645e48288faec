// POSTURE_RULES: what each database's own backup settings must be. JSON: a default rule set, and tag selectors with
// their own rule sets —
//   {"default": {"minRetentionDays": 7},
//    "selectors": [{"product": "rds", "tags": {"env": "prod"},
//                   "rules": {"minRetentionDays": 30, "requireLogBackup": {"minRetentionDays": 7}, "minBackupsPerWeek": 7,
//                             "requireCrossRegion": {"regions": ["cn-shanghai"]}, "keepBackupsOnRelease": true}}]}
// A database's rules are the default's, with each rule a matching selector names taken from the first selector that
// names it. Validated when the configuration is read: a malformed rule refuses to start, naming field, value and rule.
import * as z from 'zod/mini';
import { validationError } from '../errors';
import { productNames } from '../cloud/products/registry';
import type { ProductName } from '../cloud/products/catalog';
import { fieldRuleErrors, zodIssuesToFieldIssues } from '../validation';

const whole = (min: number, max: number, what: string) =>
  z.number({ error: `must be a whole number of ${what}, ${min} to ${max}` }).check(
    z.refine((n) => Number.isInteger(n) && n >= min && n <= max, { error: `must be a whole number of ${what}, ${min} to ${max}` }),
  );

// The longest any product keeps a backup by days (PolarDB level-2: 7300); -1 (forever) is a setting, not a minimum.
const retentionDays = whole(1, 7300, 'days');
const regionId = z.string({ error: 'must be a region id such as "cn-shanghai"' }).check(
  z.regex(/^[a-z]{2,}(-[a-z0-9]+){1,3}$/, { error: 'must be a region id such as "cn-shanghai"' }),
);

export const ruleSetSchema = z.strictObject({
  minRetentionDays: z.optional(retentionDays),
  // true: log backup on; with minRetentionDays: kept at least that long. false: not required (over the default).
  requireLogBackup: z.optional(z.union([z.boolean(), z.strictObject({ minRetentionDays: z.optional(retentionDays) })], { error: 'must be true, false or {"minRetentionDays": <days>}' })),
  // MongoDB's high-frequency backup every 15 minutes is the most a week holds: 672.
  minBackupsPerWeek: z.optional(whole(1, 672, 'backups a week')),
  // true: copies in any other region; with regions: in one of these.
  requireCrossRegion: z.optional(
    z.union([z.boolean(), z.strictObject({ regions: z.array(regionId).check(z.minLength(1, { error: 'must name at least one region' })) })], {
      error: 'must be true, false or {"regions": ["<region id>", …]}',
    }),
  ),
  // true: at least the latest backup is kept once the instance is released; "all": every backup.
  keepBackupsOnRelease: z.optional(z.union([z.boolean(), z.literal('latest'), z.literal('all')], { error: 'must be true, false, "latest" or "all"' })),
});

export type RuleSet = z.infer<typeof ruleSetSchema>;

const tags = z.record(z.string(), z.string({ error: 'must be a string' })).check(
  z.refine((t) => Object.keys(t).length >= 1 && Object.keys(t).length <= 20, { error: 'must map 1 to 20 tag keys to values' }),
);

const selectorSchema = z.strictObject({
  product: z.optional(z.enum(productNames as [ProductName, ...ProductName[]], { error: `must be one of ${productNames.join(', ')}` })),
  tags,
  RegionId: z.optional(regionId),
  rules: ruleSetSchema,
});

const postureRulesSchema = z.strictObject({
  default: z.optional(ruleSetSchema),
  selectors: z.optional(z.array(selectorSchema)),
});

export type PostureSelector = z.infer<typeof selectorSchema>;

export interface PostureRules {
  default: RuleSet;
  selectors: PostureSelector[];
}

/** What applies where nothing is configured: nothing is checked. */
export const noRules: PostureRules = { default: {}, selectors: [] };

export const hasRules = (r: PostureRules): boolean => Object.keys(r.default).length > 0 || r.selectors.length > 0;

/** POSTURE_RULES (already parsed from JSON) → the rules, or a validation error naming each bad field under `POSTURE_RULES`. */
export function parsePostureRules(raw: unknown, name = 'POSTURE_RULES'): PostureRules {
  if (raw === undefined) return noRules;
  const result = postureRulesSchema.safeParse(raw, { error: fieldRuleErrors });
  if (!result.success) {
    const issues = zodIssuesToFieldIssues(result.error, raw).map((i) => ({ ...i, field: i.field ? `${name}.${i.field}` : name }));
    throw validationError(issues, 'configuration');
  }
  return { default: result.data.default ?? {}, selectors: result.data.selectors ?? [] };
}

/** The rules for one database, given which selectors (by index) match it: the default, overridden rule by rule. */
export function rulesFor(rules: PostureRules, matching: readonly number[]): RuleSet {
  const out: Record<string, unknown> = { ...rules.default };
  const named = new Set<string>();
  for (const i of [...matching].sort((a, b) => a - b)) {
    for (const [k, v] of Object.entries(rules.selectors[i]?.rules ?? {})) {
      if (named.has(k) || v === undefined) continue;
      named.add(k);
      out[k] = v;
    }
  }
  return out as RuleSet;
}
