// The floors every deletion must respect, whatever the policy says (issue 16), checked apart from the planner that
// should already respect them: a plan that breaks one is refused whole, logged and alerted — never trimmed quietly,
// because a planner that got one floor wrong may have got the rest wrong too.
import type { RetentionRules } from '../cloud/products/catalog';
import type { Deletion, Held, PlanOptions } from './plan';
import { newestFirst, scheduledOurs } from './plan';
import type { RetentionPolicy } from './policy';

/** Each floor a plan breaks, in words naming the backup; empty when it may be carried out. */
export function floorBreaches(deletions: readonly Deletion[], held: readonly Held[], policy: RetentionPolicy, rules: RetentionRules, now: number, o: PlanOptions): string[] {
  const out: string[] = [];
  const byId = new Map(held.map((h) => [h.backupId, h]));
  const good = held.filter((h) => h.state === 'succeeded').sort(newestFirst);
  const minAge = Math.max(o.minAgeMs, rules.minDeleteAgeMs);
  if (deletions.length > 1) out.push(`${deletions.length} deletions planned at once; at most one per database per new good backup`);
  if (o.mode === 'policy') {
    const replacing = o.replacing === undefined ? undefined : byId.get(o.replacing);
    if (!replacing || replacing.state !== 'succeeded' || !replacing.ours) out.push(`the backup replacing it (${o.replacing ?? 'none'}) is not listed as a good backup of this tool`);
  }
  for (const d of deletions) {
    const h = byId.get(d.backupId);
    const name = `${d.backupId}`;
    if (!h) {
      out.push(`${name} is not among the backups the cloud lists`);
      continue;
    }
    if (!h.ours) out.push(`${name} is not this tool's (automated, console-made or foreign)`);
    if (h.uncertain) out.push(`${name} was adopted with no attempt of this tool on record (origin uncertain)`);
    if (h.state !== 'succeeded') out.push(`${name} is not a finished good backup`);
    if (good[0]?.backupId === h.backupId) out.push(`${name} is the newest good backup of the database`);
    const age = now - Date.parse(h.startedAt ?? '');
    if (!(age >= minAge)) out.push(`${name} is younger than the minimum age (${Math.round(minAge / 3_600_000)} h)`);
    if (d.kind === 'policy' && h.adhoc) out.push(`${name} is an ad-hoc backup; the scheduled policy never deletes one`);
    if (d.kind === 'room' && (!h.adhoc || !(age >= o.adhocReplaceMinAgeMs))) out.push(`${name} may not give up its slot: only an ad-hoc backup older than ADHOC_REPLACE_MIN_AGE may`);
  }
  const gone = new Set(deletions.map((d) => d.backupId));
  const floor = policy.keep ?? policy.keepLast ?? 1;
  const left = good.filter((h) => scheduledOurs(h) && !gone.has(h.backupId)).length;
  const before = good.filter(scheduledOurs).length;
  if (deletions.some((d) => d.kind === 'policy') && left < Math.min(floor, before)) out.push(`${left} good scheduled backups of this tool would remain, below keep ${floor}`);
  if (good.length > 0 && good.every((h) => gone.has(h.backupId))) out.push('no good backup of the database would remain');
  return out;
}
