// Building a fix call: each change is a raise of one field, and the query is what the API requires restated plus the
// changed fields. isRaise is the one check every call passes before it is printed or sent (shared/posture/fix.ts).
import { BackupError } from '../../errors';
import { FOREVER } from '../policy';
import type { Change, FixCall } from './posture-catalog';

export function isRaise(c: Change): boolean {
  switch (c.kind) {
    case 'days':
      return c.from !== FOREVER && (c.to === FOREVER || c.to > c.from);
    case 'weekdays': {
      const to = new Set(c.to.split(','));
      return c.from.split(',').filter(Boolean).every((d) => to.has(d)) && to.size > new Set(c.from.split(',').filter(Boolean)).size;
    }
    case 'level':
      return c.order.indexOf(c.to) > c.order.indexOf(c.from) && c.order.includes(c.from);
    case 'set':
      return c.from === '' && c.to !== '';
  }
}

/** A call of the changes that change something; none: no call. A change that is not a raise is refused outright. */
export function fixCall(action: string, restated: Record<string, string>, changes: (Change | undefined)[], rules: FixCall['rules']): FixCall | undefined {
  const real = changes.filter((c): c is Change => c !== undefined && String(c.to) !== String(c.from));
  const lowering = real.find((c) => !isRaise(c));
  if (lowering) {
    throw new BackupError({ code: 'PostureFixLowers', category: 'internal', message: `A fix would change ${lowering.field} from ${JSON.stringify(lowering.from)} to ${JSON.stringify(lowering.to)}, which lowers or turns off a setting; nothing was changed.` });
  }
  if (real.length === 0) return undefined;
  return { action, query: { ...restated, ...Object.fromEntries(real.map((c) => [c.field, String(c.to)])) }, changes: real, rules };
}

export const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
