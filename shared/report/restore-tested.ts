// LAST RESTORE TESTED and RECOVERY TIME for one database, from its drills: the newest drill that got as far as a
// ready instance or a verdict is the last test; the newest passing one decides `--max-restore-age`.
import type { DrillRecord, DrillVerdict } from '../drill/record';

export interface RestoreTested {
  drillId: string;
  /** When the temporary instance was ready (or, with no ready, when the drill was requested). */
  testedAt: string;
  /** Request to ready, ms (null: it never got ready). */
  recoveryMs: number | null;
  verdict: DrillVerdict | null;
  /** The newest drill whose verdict was passed (null: none). */
  lastPassedAt: string | null;
  /** Recovery times of the last drills that got ready, oldest first (at most 10): the dashboard's trend. */
  recoveryTrend: number[];
}

const reached = (r: DrillRecord) => r.readyAt !== undefined || r.verdict !== undefined;
const testedAt = (r: DrillRecord) => r.readyAt ?? r.requestedAt;

/** `drills`: one database's drills, any order. Undefined when none reached ready or a verdict. */
export function restoreTested(drills: readonly DrillRecord[]): RestoreTested | undefined {
  const tested = drills.filter(reached).sort((a, b) => Date.parse(testedAt(b)) - Date.parse(testedAt(a)));
  const last = tested[0];
  if (!last) return undefined;
  const passed = tested.find((r) => r.verdict === 'passed');
  return {
    drillId: last.drillId,
    testedAt: testedAt(last),
    recoveryMs: last.recoveryMs ?? null,
    verdict: last.verdict ?? null,
    lastPassedAt: passed ? testedAt(passed) : null,
    recoveryTrend: tested
      .filter((r) => r.recoveryMs !== undefined)
      .slice(0, 10)
      .map((r) => r.recoveryMs as number)
      .reverse(),
  };
}
