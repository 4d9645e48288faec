// The event that asks restore-drill for a drill now (chat's `drill`, the CLI): which database, who asked and where
// the outcome goes. Validated at the edge; the database must still be one DRILL_TARGETS covers (start.ts).
import type { ReplyTo } from '../chat/reply';
import type { ProductName } from '../cloud/products/catalog';
import { productNames } from '../cloud/products/registry';
import { validationError, type FieldIssue } from '../errors';

export interface RunEvent {
  run: { product: ProductName; instanceId: string };
  trigger: 'chat' | 'cli';
  requestedBy?: string;
  replyTo?: ReplyTo;
  dryRun?: boolean;
}

const ID = /^[a-z]{2,4}-[a-z0-9]{1,64}$/;
const KEYS = new Set(['run', 'trigger', 'requestedBy', 'replyTo', 'dryRun']);

export function parseRunEvent(e: Record<string, unknown>): RunEvent {
  const issues: FieldIssue[] = [];
  for (const k of Object.keys(e)) if (!KEYS.has(k)) issues.push({ field: k, value: e[k], rule: `is not accepted: a drill run takes only ${[...KEYS].join(', ')}` });
  const run = e.run as { product?: unknown; instanceId?: unknown } | undefined;
  if (!run || typeof run !== 'object') issues.push({ field: 'run', value: run, rule: 'must be {"product": …, "instanceId": …}' });
  else {
    if (!productNames.includes(run.product as ProductName)) issues.push({ field: 'run.product', value: run.product, rule: `must be one of ${productNames.join(', ')}` });
    if (typeof run.instanceId !== 'string' || !ID.test(run.instanceId)) issues.push({ field: 'run.instanceId', value: run.instanceId, rule: 'must be an instance or cluster id such as rm-… , pc-… or dds-…' });
    const extra = Object.keys(run).filter((k) => k !== 'product' && k !== 'instanceId');
    if (extra.length) issues.push({ field: `run.${extra[0]}`, value: (run as Record<string, unknown>)[extra[0] as string], rule: 'is not accepted: the drill configuration says how' });
  }
  if (e.trigger !== 'chat' && e.trigger !== 'cli') issues.push({ field: 'trigger', value: e.trigger, rule: 'must be chat or cli' });
  if (e.requestedBy !== undefined && (typeof e.requestedBy !== 'string' || e.requestedBy.length > 200)) issues.push({ field: 'requestedBy', value: e.requestedBy, rule: 'must be text of at most 200 characters' });
  const to = e.replyTo as { platform?: unknown; url?: unknown } | undefined;
  if (to !== undefined && (typeof to !== 'object' || (to.platform !== 'slack' && to.platform !== 'dingtalk') || typeof to.url !== 'string')) issues.push({ field: 'replyTo', value: to, rule: 'must be {"platform": "slack"|"dingtalk", "url": …}' });
  if (e.dryRun !== undefined && typeof e.dryRun !== 'boolean') issues.push({ field: 'dryRun', value: e.dryRun, rule: 'must be true or false' });
  if (issues.length > 0) throw validationError(issues, 'drill run');
  return e as unknown as RunEvent;
}
