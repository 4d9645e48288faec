// The report as people read it: a table for the terminal (coloured on a TTY), a short text for chat, and the
// daily digest alert for the notify channels.
import type { Alert } from '../notifications/alert';
import { formatBytes, formatDuration } from '../tracking/messages';
import { postureCell, postureColour, postureProblems, postureVerdict } from './posture';
import type { DatabaseReport, Report } from './report';

const paint = (on: boolean, code: number, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
const age = (d: DatabaseReport) => (d.ageMs === null ? '—' : formatDuration(d.ageMs));

export function reportTable(r: Report, colour = false): string {
  const head = ['', 'PRODUCT', 'INSTANCE', 'LAST GOOD (UTC)', 'AGE', 'SIZE', 'IN A ROW', 'KEPT', 'DELETED', 'NEXT DELETION', 'RESTORE POINTS', 'LAST RESTORE TESTED', 'RECOVERY TIME', 'POSTURE', 'LAST FAILURE'];
  const rows = r.databases.map((d) => [
    d.ok ? 'OK' : 'NO',
    d.product,
    d.instanceId,
    d.lastGoodAt ? d.lastGoodAt.replace('T', ' ').slice(0, 16) : 'never',
    age(d),
    d.sizeBytes === null ? '—' : formatBytes(d.sizeBytes),
    String(d.consecutiveSuccesses),
    ...retentionCells(d),
    restorePointsCell(d),
    ...restoreTestedCells(d),
    postureCell(d.posture),
    d.lastFailure ? `${d.lastFailure.at.replace('T', ' ').slice(0, 16)} ${d.lastFailure.code}${d.running ? ' (running now)' : ''}` : d.running ? 'running now' : '—',
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const line = (cells: string[], colourOf?: (c: number) => number | undefined) =>
    cells
      .map((cell, c) => {
        const padded = c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0);
        const code = colourOf?.(c);
        return code === undefined ? padded : paint(colour, code, padded);
      })
      .join('  ')
      .trimEnd();
  const out = [line(head, () => 1)];
  for (const [i, row] of rows.entries()) {
    const d = r.databases[i] as DatabaseReport;
    out.push(line(row, (c) => (c === 0 ? (d.ok ? 32 : 31) : c === head.indexOf('POSTURE') ? postureColour(d.posture) : c === head.indexOf('LAST RESTORE TESTED') && d.restoreOk === false ? 31 : c === head.length - 1 && d.lastFailure ? 33 : undefined)));
  }
  const bad = r.databases.filter((d) => !d.ok).length;
  out.push('');
  out.push(
    r.ok
      ? paint(colour, 32, `All ${r.databases.length} databases have a good backup within ${formatDuration(r.maxAgeMs)}.`)
      : paint(colour, 31, `${bad} of ${r.databases.length} databases have no good backup within ${formatDuration(r.maxAgeMs)}.`),
  );
  const restore = restoreVerdict(r);
  if (restore) out.push(paint(colour, r.restoreOk ? 32 : 31, restore));
  const settings = postureVerdict(r);
  if (settings) {
    out.push(paint(colour, r.postureOk ? 32 : 31, settings));
    for (const p of r.databases.flatMap((d) => postureProblems(d) ?? [])) out.push(`  ${p.subject}`, ...p.items.map((i) => `    ${i}`));
  }
  for (const w of r.warnings) out.push(paint(colour, 33, `warning: ${w}`));
  return out.join('\n');
}

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);

/** LAST RESTORE TESTED (when its newest drill got a ready instance or a verdict, and the verdict), RECOVERY TIME (request to ready). */
function restoreTestedCells(d: DatabaseReport): string[] {
  const t = d.restoreTested;
  if (t === undefined) return ['—', '—'];
  if (t === null) return ['never', '—'];
  return [`${when(t.testedAt)} ${t.verdict ?? 'no verdict'}`, t.recoveryMs === null ? 'not ready' : formatDuration(t.recoveryMs)];
}

/** `--max-restore-age`: the verdict line (undefined: not asked for). */
function restoreVerdict(r: Report): string | undefined {
  if (r.restoreOk === undefined || r.restoreOk === null) return undefined;
  const checked = r.databases.filter((d) => d.restoreOk !== null && d.restoreOk !== undefined);
  const stale = checked.filter((d) => d.restoreOk === false);
  const within = formatDuration(r.maxRestoreAgeMs ?? 0);
  if (checked.length === 0) return `No database is covered by the restore drills: nothing passed a drill within ${within}.`;
  return stale.length === 0 ? `All ${checked.length} databases the drills cover passed a restore drill within ${within}.` : `${stale.length} of ${checked.length} databases the drills cover have no passing restore drill within ${within}.`;
}

const testedLine = (d: DatabaseReport) => {
  const t = d.restoreTested;
  return `${d.product} ${d.instanceId}: last restore tested ${t ? `${when(t.testedAt)} (${t.verdict ?? 'no verdict'}${t.recoveryMs === null ? '' : `, recovery ${formatDuration(t.recoveryMs)}`})` : 'never'}`;
};

/** Without a max restore age: how many were tested, and the one tested longest ago (undefined: drills not read or none). */
function testedSummary(r: Report): string | undefined {
  const tested = r.databases.filter((d) => d.restoreTested);
  if (tested.length === 0) return undefined;
  const oldest = tested.reduce((a, b) => (Date.parse(b.restoreTested?.testedAt ?? '') < Date.parse(a.restoreTested?.testedAt ?? '') ? b : a));
  return `Restore drills: ${tested.length} of ${r.databases.length} databases tested; longest ago ${testedLine(oldest)}.`;
}

/** Chat and digest: the restore verdict and the databases without a recent passing drill (at most 20). */
function restoreText(r: Report): string[] {
  const verdict = restoreVerdict(r) ?? testedSummary(r);
  if (!verdict) return [];
  const stale = r.databases.filter((d) => d.restoreOk === false);
  return [
    verdict,
    ...stale.slice(0, 20).map((d) => `• ${testedLine(d)}; last passed ${d.restoreTested?.lastPassedAt ? when(d.restoreTested.lastPassedAt) : 'never'}`),
    ...(stale.length > 20 ? [`… and ${stale.length - 20} more: fc-db-backup report --max-restore-age ${formatDuration(r.maxRestoreAgeMs ?? 0)}`] : []),
  ];
}

/** RESTORE POINTS: every good backup in the cloud (this tool's, automated, console-made) as the watch last counted, and the oldest. */
function restorePointsCell(d: DatabaseReport): string {
  const r = d.restorePoints;
  if (!r) return '—';
  return `${r.count}${r.oldest ? `, oldest ${r.oldest.slice(0, 10)}` : ''}`;
}

/** KEPT (this tool's good backups kept, and the policy), DELETED (by retention, in the history), NEXT DELETION. */
function retentionCells(d: DatabaseReport): string[] {
  const r = d.retention;
  if (!r) return ['—', '—', '—'];
  const p = r.policy;
  const policy = [
    p.keep !== undefined ? `keep ${p.keep}` : '',
    p.keepDays !== undefined ? `${p.keepDays} d` : '',
    p.keepLast !== undefined ? `last ${p.keepLast}` : '',
    p.keepDaily !== undefined ? `${p.keepDaily} daily` : '',
    p.keepWeekly !== undefined ? `${p.keepWeekly} weekly` : '',
    p.keepMonthly !== undefined ? `${p.keepMonthly} monthly` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const next = r.nextDeletion === undefined ? 'never' : /^\d{4}-/.test(r.nextDeletion) ? r.nextDeletion.replace('T', ' ').slice(0, 16) : r.nextDeletion;
  return [`${r.retained.length}${policy ? ` (${policy})` : ''}`, String(r.deleted.length), next];
}

/** Chat answer: the verdict, then the databases to act on (at most 20), then warnings. */
export function reportText(r: Report): string {
  const bad = r.databases.filter((d) => !d.ok);
  const lines = [
    r.ok
      ? `All ${r.databases.length} databases have a good backup within ${formatDuration(r.maxAgeMs)}.`
      : `${bad.length} of ${r.databases.length} databases have no good backup within ${formatDuration(r.maxAgeMs)}:`,
    ...bad.slice(0, 20).map((d) => `• ${d.product} ${d.instanceId}: last good ${d.lastGoodAt ? `${age(d)} ago` : 'never'}${d.lastFailure ? `; last failure ${d.lastFailure.code} at ${d.lastFailure.at}` : ''}${d.running ? '; running now' : ''}`),
    ...(bad.length > 20 ? [`… and ${bad.length - 20} more: fc-db-backup report`] : []),
    ...restoreText(r),
    ...postureText(r),
    ...r.warnings.map((w) => `warning: ${w}`),
  ];
  return lines.join('\n');
}

/** Chat and digest: the posture verdict and the databases to act on (at most 20). */
function postureText(r: Report): string[] {
  const settings = postureVerdict(r);
  if (!settings) return [];
  const problems = r.databases.flatMap((d) => postureProblems(d) ?? []);
  return [
    settings,
    ...problems.slice(0, 20).map((p) => `• ${p.subject}: ${p.items.join('; ')}`),
    ...(problems.length > 20 ? [`… and ${problems.length - 20} more: fc-db-backup report --posture`] : []),
  ];
}

export function digestAlert(r: Report, day: string): Alert {
  const bad = r.databases.filter((d) => !d.ok);
  return {
    id: `digest:${day}`,
    kind: 'digest',
    title: r.ok ? `Backups ${day}: all ${r.databases.length} databases OK` : `Backups ${day}: ${bad.length} of ${r.databases.length} databases without a good backup`,
    message: reportText(r),
    action: [
      r.ok ? (r.postureOk === false ? '' : 'Nothing to do.') : 'For each database listed, read its last failure (fc-db-backup status <instance-id>) and take a backup by hand: fc-db-backup backup <product> <instance-id>.',
      r.postureOk === false ? 'For the backup settings listed: fc-db-backup posture --fix prints the calls that bring them into line (--apply makes them, with your own credentials).' : '',
    ].filter(Boolean).join(' '),
    at: r.generatedAt,
    facts: {
      'max age': formatDuration(r.maxAgeMs),
      databases: String(r.databases.length),
      'without a good backup': String(bad.length),
      ...(r.postureOk === false ? { 'breaking a settings rule': String(r.databases.filter((d) => postureProblems(d) !== undefined).length) } : {}),
    },
  };
}
