// A caller that waits on its own backups (the deploy gate's `wait`) looks at them through the tracker's own
// visit (at least once, even with no time to wait): the end it sees is the one recorded in the history, by the same compare-and-set, never a second opinion. What the end owes is the tracker's to do.
import type { Deadline } from '../deadline';
import { nextPollMs } from '../backup/wait';
import { isFinalState, type HistoryRecord } from '../history/record';
import { sleep } from '../retry';
import { visit, type SweepDeps } from './sweep';

/** The longest pause between looks: a CI job waiting on its gate sees a backup's end within this. */
const maxFollowPollMs = 5_000;

export async function follow(ids: readonly string[], d: SweepDeps, until: Deadline, pollMs: number): Promise<(HistoryRecord | undefined)[]> {
  const running = (rs: (HistoryRecord | undefined)[]) => rs.filter((r): r is HistoryRecord => r !== undefined && r.state === 'running');
  for (;;) {
    const records = await Promise.all(ids.map((id) => d.history.get(id)));
    const open = running(records);
    if (open.length === 0) return records;
    await Promise.all(open.map((r) => visit(r.id, d).catch(() => undefined)));
    const again = await Promise.all(ids.map((id) => d.history.get(id)));
    const still = running(again);
    if (still.length === 0 || until.remainingMs() <= 0) return again;
    // The same schedule as every other status poll, by the youngest open job's age (shared/backup/wait.ts).
    const youngest = Math.max(...still.map((r) => Date.parse(r.startedAt ?? r.requestedAt) || Date.now()));
    await sleep(Math.min(nextPollMs(Date.now() - youngest, pollMs, maxFollowPollMs), until.remainingMs()));
  }
}
