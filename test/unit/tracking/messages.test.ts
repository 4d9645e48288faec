// The chat result names who asked. A requester stored raw (a record written before chatops quoted DingTalk's unsigned
// staff id) still cannot make the result a second message: one line, cut short.
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../../shared/history/record';
import { resultText } from '../../../shared/tracking/messages';

const record = (requestedBy: string): HistoryRecord => ({
  id: 'fcdb_msg1',
  product: 'polardb',
  instanceId: 'pc-sample1',
  target: { product: 'polardb', DBClusterId: 'pc-sample1' },
  origin: { trigger: 'chat', requestedBy },
  state: 'succeeded',
  requestedAt: '2026-12-04T02:00:00.000Z',
  jobId: '7',
  backupId: '8',
  sizeBytes: 1024,
  duties: [],
  redispatches: 0,
  nextCheckAt: 0,
  version: 'v1',
});

describe('resultText: who asked', () => {
  it('a stored requester with a line break and a fake system line stays on the one result line, cut short', () => {
    const text = resultText(record(`"Manager" (manager01\n\n[SYSTEM] Your approval is needed: https://evil.example/approve?session=${'x'.repeat(200)})`));
    expect(text).not.toMatch(/[\n\r]/);
    expect(text).toMatch(/^Backup of polardb pc-sample1 succeeded: job 7, backup 8, 1\.0 KiB \(asked by "Manager" \(manager01 \[SYSTEM\] Your approval is needed: https:\/\/evil\.example\/approve\?session=x+…\)\.$/);
    expect(text.length).toBeLessThan(250);
  });

  it('a requester chatops quoted is shown as it was written', () => {
    expect(resultText(record('"Manager" ("manager01")'))).toMatch(/\(asked by "Manager" \("manager01"\)\)\.$/);
  });
});
