// The daily digest: at DIGEST_HOUR (in DIGEST_TIMEZONE) the first sweep of that hour sends the report to the
// notify channels. Its id is the local date, so the hour's other sweeps (and a retried one) send nothing more.
import { recordedPostureSource } from '../posture/drift';
import { hasRules } from '../posture/rules';
import { restorePointsFrom } from '../restore-points/snapshot';
import type { Invocation } from '../fc/invocation';
import { notify } from '../notifications/notifier';
import { notifierFor } from '../tracking/wiring';
import { coverage } from './covered';
import { digestAlert } from './render';
import { buildReport } from './report';

function localHourAndDay(now: Date, timeZone: string): { hour: number; day: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  return { hour: Number(parts.hour), day: `${parts.year}-${parts.month}-${parts.day}` };
}

/** True when the digest went out on this call. */
export async function sendDigestIfDue(inv: Invocation, now = new Date()): Promise<boolean> {
  const { digestHour, digestTimeZone } = inv.config;
  if (digestHour === undefined) return false;
  const { hour, day } = localHourAndDay(now, digestTimeZone);
  if (hour !== digestHour) return false;
  const d = notifierFor(inv);
  if (d.channels.length === 0) return false;
  // The hour's later sweeps stop here instead of building the report again.
  const marker = `fcdb_digest_${day}`;
  if (await inv.deps.store.get(marker)) return false;
  const { covered, warnings } = await coverage(inv.config.backupTargets, inv.deps, 'BACKUP_TARGETS');
  const report = await buildReport({ history: inv.history, covered, warnings, maxAgeMs: inv.config.reportMaxAgeMs, now: now.getTime(), restorePoints: restorePointsFrom(inv.deps.store), ...(hasRules(inv.posture) ? { posture: recordedPostureSource(inv.deps.store) } : {}) });
  const sent = await notify(digestAlert(report, day), d);
  if (sent) {
    await inv.deps.store.putIfAbsent(
      { key: marker, payloadHash: '', status: 'completed', owner: 'digest', claimedAt: report.generatedAt, leaseExpiresAt: 0, attempts: 0, result: { sent: true } },
      2 * 86_400_000,
    );
  }
  return sent;
}
