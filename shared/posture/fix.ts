// The fix for each failing database: its product's Modify…BackupPolicy calls (posture-catalog.ts), each a raise of
// every field it changes (changes.ts refuses anything else), and the steps no call can take without a decision.
// Applying is the CLI's alone, with the operator's own credentials: no function role holds a Modify action.
import { callerFor, type EngineDeps } from '../backup/engine';
import type { Target } from '../backup/targets';
import type { ProductName } from '../cloud/products/catalog';
import { catalogOf } from '../cloud/products/registry';
import { toBackupError } from '../errors';
import type { Assessment } from './assess';
import { isRaise } from './products/changes';
import type { FixCall, FixPlan } from './products/posture-catalog';
import { postureOf } from './products/registry';

export interface DatabaseFix extends FixPlan {
  product: ProductName;
  instanceId: string;
  region: string;
}

/** One per failing database whose settings were read; a database with nothing failing needs none. */
export function fixesFor(assessments: readonly Assessment[]): DatabaseFix[] {
  return assessments.flatMap((a) => {
    const failing = a.posture.rules.filter((r) => r.status === 'failing');
    if (!a.view || failing.length === 0) return [];
    const { product, instanceId } = a.posture;
    const plan = postureOf(product).plan({ view: a.view, rules: a.ruleSet, failing, instanceId, region: a.region });
    return [{ product, instanceId, region: a.region, ...plan }];
  });
}

/** `rds ModifyBackupPolicy DBInstanceId=rm-1 BackupRetentionPeriod=30   # BackupRetentionPeriod 7 → 30` */
export function describeCall(product: ProductName, call: FixCall): string {
  const query = Object.entries(call.query).map(([k, v]) => `${k}=${v}`).join(' ');
  const changes = call.changes.map((c) => `${c.field} ${c.from === '' ? '(none)' : c.from} → ${c.to}`).join(', ');
  return `${product} ${call.action} ${query}   # ${changes} (${call.rules.join(', ')})`;
}

export interface Applied {
  call: FixCall;
  ok: boolean;
  error?: { code: string; message: string };
}

/** Makes exactly the calls of the plan, in order, each checked once more to raise only; a failure stops that database. */
export async function applyFix(fix: DatabaseFix, deps: EngineDeps): Promise<Applied[]> {
  const target = { product: fix.product, [catalogOf(fix.product).idField]: fix.instanceId, RegionId: fix.region } as unknown as Target;
  const caller = callerFor(target, deps);
  const done: Applied[] = [];
  for (const call of fix.calls) {
    if (!call.changes.every(isRaise)) {
      done.push({ call, ok: false, error: { code: 'PostureFixLowers', message: 'a change would lower or turn off a setting; not sent' } });
      break;
    }
    try {
      await caller.once(call.action, call.query);
      done.push({ call, ok: true });
    } catch (raw) {
      const e = toBackupError(raw);
      done.push({ call, ok: false, error: { code: e.code, message: e.message } });
      break;
    }
  }
  return done;
}
