// Following a restore drill to its end through the stack: tracker sweeps (each hands a follow to restore-drill,
// run by the local FC) until the drill's record is released or release-failed.
import { fcContext } from '../../local/fc-runtime';
import { drillLogFor } from '../../shared/drill/log';
import type { DrillRecord } from '../../shared/drill/record';
import { startInvocation } from '../../shared/fc/invocation';
import type { Stack } from './stack';

export const drillLog = () => drillLogFor(startInvocation(fcContext('test', {})).deps.store);

export async function followDrillToEnd(stack: Stack, drillId: string, timeoutMs = 20_000): Promise<DrillRecord> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await stack.sweep();
    await stack.cloud.fcIdle();
    const r = await drillLog().get(drillId);
    if (r && (r.phase === 'released' || r.phase === 'release-failed')) return r;
    if (Date.now() > end) throw new Error(`drill ${drillId} still ${r?.phase} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
