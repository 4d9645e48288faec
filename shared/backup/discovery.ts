// Tag selectors: `{"product":"rds","tags":{"backup":"nightly"}}` stands for every instance carrying those tags,
// resolved through the product's list API, page by page, before any backup is taken — so the blast-radius
// guard can refuse an over-large run while nothing has happened yet.
import { callerFor, type EngineDeps } from './engine';
import { BackupError, toBackupError, validationError, type FieldIssue } from '../errors';
import { catalogOf, productNames } from '../cloud/products/registry';
import type { ListVariant, ProductName } from '../cloud/products/catalog';
import { targetIssues, type Target } from './targets';
import { canonicalJson } from '../idempotency/key';

export interface TagSelector {
  product: ProductName;
  tags: Record<string, string>;
  RegionId?: string;
  /** Backup options applied to every instance found (BackupMethod, ...). */
  [option: string]: unknown;
}

export const isSelector = (t: unknown): t is TagSelector =>
  t !== null && typeof t === 'object' && !Array.isArray(t) && 'tags' in (t as Record<string, unknown>);

const PROBE_ID = 'selector-probe';

// What each list API accepts (docs/cloud-truth.md): RDS DescribeDBInstances takes at most 5 tag pairs, MongoDB tag
// keys are at most 64 characters; anything larger would be refused by the cloud only after the request was accepted.
const DEFAULT_TAG_LIMITS = { pairs: 20, keyLength: 128 };
const TAG_LIMITS: Partial<Record<ProductName, { pairs: number; keyLength: number }>> = {
  rds: { pairs: 5, keyLength: 128 },
  mongodb: { pairs: 20, keyLength: 64 },
};

/**
 * The tag each restore drill's temporary instance carries (shared/drill/): no selector may name it, so discovery —
 * and with it backups and retention — never picks a drill's instance. Drill instances carry no other tag.
 */
export const drillTagKey = 'fc-db-backup-drill';

/** A selector is valid when its tags are and when a target built from it with any id would be. */
export function selectorIssues(input: TagSelector, at: string): FieldIssue[] {
  const product = input.product;
  if (!productNames.includes(product)) return [{ field: `${at}.product`, value: product, rule: `must be one of ${productNames.join(', ')}` }];
  const tags = input.tags;
  const entries = tags !== null && typeof tags === 'object' && !Array.isArray(tags) ? Object.entries(tags) : [];
  const issues: FieldIssue[] = [];
  const { pairs, keyLength } = TAG_LIMITS[product] ?? DEFAULT_TAG_LIMITS;
  if (entries.length === 0 || entries.length > pairs || entries.some(([k, v]) => k === '' || typeof v !== 'string' || k.length > keyLength || v.length > 128)) {
    issues.push({ field: `${at}.tags`, value: tags, rule: `must map 1 to ${pairs} tag keys (each up to ${keyLength} characters) to string values (each up to 128 characters)` });
  }
  if (entries.some(([k]) => k === drillTagKey)) issues.push({ field: `${at}.tags.${drillTagKey}`, value: tags, rule: 'is the restore drills\' own tag: their temporary instances are never backed up' });
  const probe = expand(input, PROBE_ID);
  const idField = catalogOf(product).idField;
  return [...issues, ...targetIssues(probe, at).filter((i) => i.field !== `${at}.${idField}`)];
}

function expand(selector: TagSelector, id: string): Target {
  const { tags: _tags, ...options } = selector;
  return { ...options, [catalogOf(selector.product).idField]: id } as Target;
}

export interface ResolveOptions {
  /** Refuse when more than this many instances would be touched. */
  maxTargets: number;
  /** What set maxTargets, named in the refusal: MAX_TARGETS_PER_RUN (default) or the request's own field. */
  limitName?: string;
  pageSize?: number;
  /** Told how many instances each selector matched: zero usually means a renamed tag (warned, alerted). */
  onSelector?: (selector: TagSelector, matched: number, found: readonly Target[]) => void;
  /** Distinct selectors one request may hold (MAX_SELECTORS_PER_REQUEST, for requests from outside): each costs list calls. Default: no cap (the operator's own BACKUP_TARGETS). */
  maxSelectors?: number;
  /** How the request names its list of targets in messages (default `targets`). */
  field?: string;
}

/** The run's limit: MAX_TARGETS_PER_RUN, or the request's own `field` when it asks for less. */
export function runLimit(configured: number, requested: number | undefined, field: string): Pick<ResolveOptions, 'maxTargets' | 'limitName'> {
  return requested !== undefined && requested < configured ? { maxTargets: requested, limitName: field } : { maxTargets: configured, limitName: 'MAX_TARGETS_PER_RUN' };
}

/** Targets stay as they are; selectors become one target per instance found. Throws before any backup when over the limit. */
export async function resolveTargets(items: readonly (Target | TagSelector)[], deps: EngineDeps, o: ResolveOptions): Promise<Target[]> {
  // Entries are named by their place in the request as it came, before identical selectors are merged.
  const entryOf = new Map(items.map((item, i) => [item, i]));
  const asGiven = items;
  // The same selector twice is one list, not two: 1,200 copies must not make 1,200 list calls. Then a cap, checked
  // before the first call.
  const selectorKeys = new Set<string>();
  items = items.filter((item) => {
    if (!isSelector(item)) return true;
    const k = canonicalJson(item);
    if (selectorKeys.has(k)) return false;
    selectorKeys.add(k);
    return true;
  });
  const maxSelectors = o.maxSelectors ?? Number.POSITIVE_INFINITY;
  if (selectorKeys.size > maxSelectors) {
    throw new BackupError({
      code: 'TooManySelectors',
      category: 'validation',
      httpStatus: 422,
      message: `The request holds ${selectorKeys.size} different tag selectors, more than the limit of ${maxSelectors} (MAX_SELECTORS_PER_REQUEST); nothing was listed or backed up. Combine them, or split the request.`,
      details: { limit: maxSelectors, found: selectorKeys.size },
    });
  }
  const out: Target[] = [];
  // The entry (index in the request) that first named each database: a second entry naming it again is refused, never
  // dropped — which of the two (another method, another retention) was meant cannot be guessed.
  const seen = new Map<string, number>();
  const add = (t: Target, entry: number) => {
    const id = `${t.product}:${catalogOf(t.product).instanceId(t as never)}`;
    const first = seen.get(id);
    if (first !== undefined && first !== entry) throw duplicateTarget(o.field ?? 'targets', first, entry, asGiven, id);
    if (first === undefined) {
      seen.set(id, entry);
      out.push(t);
    }
    if (out.length > o.maxTargets) throw tooMany(o, `${out.length}+`);
  };
  for (const item of items) {
    const entry = entryOf.get(item) ?? 0;
    if (!isSelector(item)) {
      add(item, entry);
      continue;
    }
    const caller = callerFor(expand(item, PROBE_ID), deps);
    const { catalog } = caller;
    const size = o.pageSize ?? 100;
    const found: Target[] = [];
    // Where one call lists one kind of instance (MongoDB: replica sets unless DBInstanceType asks for sharded
    // clusters), each kind is listed to its end; the limit counts them all.
    const listPage = async (variant: ListVariant, page: number) => {
      try {
        return catalog.parseList(await caller.read(catalog.listAction, { ...catalog.listQuery(item.tags, page, size), ...variant.query }));
      } catch (raw) {
        const e = toBackupError(raw);
        if (!variant.siteOptional || page > 1 || e.category !== 'validation') throw e;
        deps.logger.warn('the list API refused a kind of instance this site may not offer; none of that kind listed', { product: item.product, query: variant.query, code: e.code });
        return { ids: [], total: 0 };
      }
    };
    for (const variant of catalog.listVariants ?? [{ query: {} }]) {
      const before = found.length;
      for (let page = 1; ; page++) {
        const { ids, total } = await listPage(variant, page);
        if (before + total > o.maxTargets) throw tooMany(o, String(before + total), item);
        for (const id of ids) {
          const t = expand(item, id);
          add(t, entry);
          found.push(t);
        }
        if (ids.length === 0 || found.length - before >= total) break;
      }
    }
    o.onSelector?.(item, found.length, found);
  }
  return out;
}

function duplicateTarget(field: string, first: number, second: number, items: readonly (Target | TagSelector)[], id: string): BackupError {
  const show = (i: number) => `${field}[${i}] ${JSON.stringify(items[i])}`;
  return validationError(
    [{ field: `${field}[${second}]`, value: items[second], rule: `names ${id.replace(':', ' ')} again, already named by ${show(first)}; a database may appear once per request (remove one entry, or narrow the selector)` }],
    'targets',
  );
}

function tooMany({ maxTargets: max, limitName = 'MAX_TARGETS_PER_RUN' }: ResolveOptions, found: string, selector?: TagSelector): BackupError {
  return new BackupError({
    code: 'TooManyTargets',
    category: 'validation',
    httpStatus: 422,
    message: `This run would back up ${found} databases, more than the limit of ${max} (${limitName}); nothing was backed up.${selector ? ` Selector: ${JSON.stringify(selector.tags)} on ${selector.product}.` : ''} Narrow the selector or raise ${limitName}.`,
    details: { limit: max, limitName, found },
  });
}

/** One entry of a target list that failed validation, kept apart so the valid ones still run. */
export interface RefusedEntry {
  index: number;
  input: unknown;
  issues: FieldIssue[];
}

/** Validates each entry on its own: the valid ones, and the refused ones with every problem named. */
export function partitionTargetsOrSelectors(input: unknown, at = 'targets'): { valid: (Target | TagSelector)[]; refused: RefusedEntry[] } {
  if (!Array.isArray(input) || input.length === 0) {
    throw validationError([{ field: at, value: input, rule: 'must be a non-empty array of targets' }], 'targets');
  }
  const valid: (Target | TagSelector)[] = [];
  const refused: RefusedEntry[] = [];
  input.forEach((t, i) => {
    const issues = isSelector(t) ? selectorIssues(t, `${at}[${i}]`) : targetIssues(t, `${at}[${i}]`);
    if (issues.length === 0) valid.push(t as Target | TagSelector);
    else refused.push({ index: i, input: t, issues });
  });
  return { valid, refused };
}

/** Validates a list mixing targets and selectors, reporting every problem at once. */
export function parseTargetsOrSelectors(input: unknown, at = 'targets'): (Target | TagSelector)[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw validationError([{ field: at, value: input, rule: 'must be a non-empty array of targets' }], 'targets');
  }
  const issues = input.flatMap((t, i) => (isSelector(t) ? selectorIssues(t, `${at}[${i}]`) : targetIssues(t, `${at}[${i}]`)));
  if (issues.length > 0) throw validationError(issues, 'targets');
  return input as (Target | TagSelector)[];
}
