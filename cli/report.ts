// `fc-db-backup report`: the morning report from the history and the configured targets (shared/report/). The
// command's argument handling and exit code are in commands/report.ts; this builds and renders.
import { restorePointsFrom } from '../shared/restore-points/snapshot';
import type { Invocation } from '../shared/fc/invocation';
import { coverage } from '../shared/report/covered';
import { reportTable } from '../shared/report/render';
import { buildReport, type Report } from '../shared/report/report';
import { livePosture } from '../shared/posture/assess';
import { hasRules } from '../shared/posture/rules';
import { drillLogFor } from '../shared/drill/log';
import { loadDrillConfig } from '../shared/drill/config';

export interface ReportRun {
  report: Report;
  text: string;
}

export async function runReport(inv: Invocation, o: { maxAgeMs: number; maxRestoreAgeMs?: number; targets?: unknown; colour: boolean }): Promise<ReportRun> {
  const fromFlag = o.targets !== undefined;
  const { covered, warnings } = await coverage(fromFlag ? o.targets : inv.config.backupTargets, inv.deps, fromFlag ? '--targets' : 'BACKUP_TARGETS');
  // Each database's own backup settings, read now with the operator's credentials, when POSTURE_RULES names any rule.
  const posture = hasRules(inv.posture) ? livePosture(inv.posture, inv.deps, { concurrency: inv.config.concurrency }) : undefined;
  // --max-restore-age checks the databases the drill configuration covers, resolved as the drill resolves them.
  const drillCoverage = o.maxRestoreAgeMs === undefined ? undefined : await coverage(loadDrillConfig(inv.deps.env ?? process.env).targets, inv.deps, 'DRILL_TARGETS');
  if (drillCoverage) warnings.push(...drillCoverage.warnings);
  const report = await buildReport({ history: inv.history, covered, warnings, maxAgeMs: o.maxAgeMs, posture, restorePoints: restorePointsFrom(inv.deps.store), drills: drillLogFor(inv.deps.store), ...(drillCoverage && o.maxRestoreAgeMs !== undefined ? { restoreGate: { maxAgeMs: o.maxRestoreAgeMs, covered: drillCoverage.covered } } : {}) });
  return { report, text: reportTable(report, o.colour) };
}
