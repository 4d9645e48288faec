// Posture of a set of databases: which rules apply to each (POSTURE_RULES' selectors resolved through the list APIs),
// its settings read through its product's posture catalog, and the verdict. A database whose settings cannot be read
// is "unknown" with the reason, never "ok".
import { mapLimit } from '../backup/batch';
import { resolveTargets } from '../backup/discovery';
import { callerFor, type EngineDeps } from '../backup/engine';
import { instanceIdOf, type Target } from '../backup/targets';
import type { ProductName } from '../cloud/products/catalog';
import { catalogOf, productNames } from '../cloud/products/registry';
import { toBackupError } from '../errors';
import { evaluate, verdictOf, type PostureVerdict, type RuleResult } from './evaluate';
import type { PolicyView } from './policy';
import { postureOf } from './products/registry';
import { hasRules, rulesFor, type PostureRules, type RuleSet } from './rules';

export interface DatabasePosture {
  product: ProductName;
  instanceId: string;
  /** unknown: the settings could not be read (error says why). */
  verdict: PostureVerdict | 'unknown';
  rules: RuleResult[];
  checkedAt: string;
  error?: { code: string; message: string };
}

export interface Assessment {
  posture: DatabasePosture;
  /** What the rules were checked against; absent when unread. */
  view?: PolicyView;
  ruleSet: RuleSet;
  region: string;
}

export interface Database {
  product: ProductName;
  instanceId: string;
}

const dbKey = (d: Database) => postureKey(d.product, d.instanceId);

const targetOf = (d: Database, regionId?: string): Target =>
  ({ product: d.product, [catalogOf(d.product).idField]: d.instanceId, ...(regionId ? { RegionId: regionId } : {}) }) as Target;

/** Which selectors (by index) each database matches, by listing each selector's tags on its products. */
export async function selectorMatches(rules: PostureRules, deps: EngineDeps): Promise<{ matches: Map<string, number[]>; warnings: string[] }> {
  const matches = new Map<string, number[]>();
  const warnings: string[] = [];
  for (const [i, s] of rules.selectors.entries()) {
    for (const product of s.product ? [s.product] : productNames) {
      try {
        const found = await resolveTargets([{ product, tags: s.tags, ...(s.RegionId ? { RegionId: s.RegionId } : {}) }], deps, { maxTargets: Number.MAX_SAFE_INTEGER });
        for (const t of found) {
          const k = dbKey({ product: t.product, instanceId: instanceIdOf(t) });
          matches.set(k, [...(matches.get(k) ?? []), i]);
        }
      } catch (e) {
        warnings.push(`POSTURE_RULES.selectors[${i}] could not be listed on ${product}: ${toBackupError(e).message}`);
      }
    }
  }
  return { matches, warnings };
}

export interface AssessOptions {
  concurrency?: number;
  now?: () => number;
}

/** Every database with rules: read, evaluated. Databases no rule applies to are left out. */
export async function assess(databases: readonly Database[], rules: PostureRules, deps: EngineDeps, o: AssessOptions = {}): Promise<{ assessments: Assessment[]; warnings: string[] }> {
  if (!hasRules(rules) || databases.length === 0) return { assessments: [], warnings: [] };
  const { matches, warnings } = rules.selectors.length > 0 ? await selectorMatches(rules, deps) : { matches: new Map<string, number[]>(), warnings: [] };
  const now = o.now ?? Date.now;
  const withRules = databases.map((d) => ({ d, matching: matches.get(dbKey(d)) ?? [] })).map(({ d, matching }) => ({ d, matching, ruleSet: rulesFor(rules, matching) }));
  const assessments = await mapLimit(
    withRules.filter((x) => Object.keys(x.ruleSet).length > 0),
    o.concurrency ?? 10,
    async ({ d, matching, ruleSet }): Promise<Assessment> => {
      // A selector that names the region says where the database is; otherwise the function's own region.
      const regionId = matching.map((i) => rules.selectors[i]?.RegionId).find(Boolean);
      const caller = callerFor(targetOf(d, regionId), deps);
      try {
        const view = await postureOf(d.product).read(caller, d.instanceId);
        const results = evaluate(view, ruleSet);
        return { posture: { ...d, verdict: verdictOf(results), rules: results, checkedAt: new Date(now()).toISOString() }, view, ruleSet, region: caller.region };
      } catch (raw) {
        const e = toBackupError(raw);
        return { posture: { ...d, verdict: 'unknown', rules: [], checkedAt: new Date(now()).toISOString(), error: { code: e.code, message: e.message } }, ruleSet, region: caller.region };
      }
    },
  );
  return { assessments, warnings };
}

/** The key a database's posture is found by in the report. */
export const postureKey = (product: ProductName, instanceId: string): string => `${product}:${instanceId}`;

/** Where a report takes its posture from: read now (the CLI), or as the tracker last recorded it (chat, digest). */
export type PostureSource = (databases: readonly Database[]) => Promise<{ byDatabase: Map<string, DatabasePosture>; warnings: string[] }>;

/** Read now, with the caller's credentials. */
export const livePosture = (rules: PostureRules, deps: EngineDeps, o: AssessOptions = {}): PostureSource => async (databases) => {
  const { assessments, warnings } = await assess(databases, rules, deps, o);
  return { byDatabase: new Map(assessments.map((a) => [postureKey(a.posture.product, a.posture.instanceId), a.posture])), warnings };
};
