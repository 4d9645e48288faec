// A caller that waits on its own backups (the deploy gate's `wait`) looks at them through the tracker's own
// visit (at least once, even with no time to wait): the end it sees is the one recorded in the history, by the same compare-and-set, never a second opinion. What the end owes is the tracker's to do.
import type { Deadline } from '../deadline';
import { isFinalState, type HistoryRecord } from '../history/record';
import { sleep } from '../retry';
import { visit, type SweepDeps } from './sweep';

export async function follow(ids: readonly string[], d: SweepDeps, until: Deadline, pollMs: number): Promise<(HistoryRecord | undefined)[]> {
  let period = pollMs;
  for (;;) {
    const records = await Promise.all(ids.map((id) => d.history.get(id)));
    const open = records.filter((r): r is HistoryRecord => r !== undefined && !isFinalState(r.state) && r.state === 'running');
    if (open.length === 0) return records;
    await Promise.all(open.map((r) => visit(r.id, d).catch(() => undefined)));
    const again = await Promise.all(ids.map((id) => d.history.get(id)));
    if (again.every((r) => r === undefined || isFinalState(r.state) || r.state !== 'running') || until.remainingMs() <= 0) return again;
    await sleep(Math.min(period, until.remainingMs()));
    period = Math.min(15_000, Math.round(period * 1.5));
  }
}
