import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config';

describe('loadConfig: the security settings', () => {
  it('defaults: 20 selectors a request, 3 ad-hoc backups per database in any 24 hours, no corp check, no local receiver', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ maxSelectorsPerRequest: 20, adhocBackupsPerDay: 3, dingtalkCorpId: undefined, chatReplyLocalReceiver: undefined });
  });

  it('reads and trims them', () => {
    const c = loadConfig({ MAX_SELECTORS_PER_REQUEST: '5', ADHOC_BACKUPS_PER_DAY: '4', DINGTALK_CORP_ID: ' ding123 ', CHAT_REPLY_LOCAL_RECEIVER: 'http://127.0.0.1:8789 ', CHATOPS_ACL: '[]' });
    expect(c).toMatchObject({ maxSelectorsPerRequest: 5, adhocBackupsPerDay: 4, dingtalkCorpId: 'ding123', chatReplyLocalReceiver: 'http://127.0.0.1:8789', chatopsAcl: '[]' });
  });

  it('refuses the old clock-hour ADHOC_BACKUPS_PER_HOUR, whatever its value, naming ADHOC_BACKUPS_PER_DAY instead of ignoring it', () => {
    for (const v of ['2', '20', '']) {
      expect(() => loadConfig({ ADHOC_BACKUPS_PER_HOUR: v })).toThrow(/ADHOC_BACKUPS_PER_HOUR: .* — is no longer read: set ADHOC_BACKUPS_PER_DAY/);
    }
    expect(() => loadConfig({ ADHOC_BACKUPS_PER_HOUR: '2', ADHOC_BACKUPS_PER_DAY: '2' })).toThrow(/remove ADHOC_BACKUPS_PER_HOUR/);
  });

  it('refuses a limit that would switch the protection off, naming the variable, the value and the rule', () => {
    expect(() => loadConfig({ ADHOC_BACKUPS_PER_DAY: '0' })).toThrow(/ADHOC_BACKUPS_PER_DAY: "0" — must be a whole number from 1 to 100/);
    expect(() => loadConfig({ ADHOC_BACKUPS_PER_DAY: '101' })).toThrow(/ADHOC_BACKUPS_PER_DAY: "101" — must be a whole number from 1 to 100/);
    expect(() => loadConfig({ MAX_SELECTORS_PER_REQUEST: 'lots' })).toThrow(/MAX_SELECTORS_PER_REQUEST: "lots" — must be a whole number from 1 to 1000/);
  });
});

describe('loadConfig: the exactly-once settings', () => {
  it("IDEMPOTENCY_TTL_SECONDS below FC's maxAsyncEventAgeInSeconds (86400) is refused, saying why", () => {
    expect(() => loadConfig({ IDEMPOTENCY_TTL_SECONDS: '60' })).toThrow(
      /IDEMPOTENCY_TTL_SECONDS: "60" — must be a whole number from 86400 to 31536000 \(at least FC's maxAsyncEventAgeInSeconds, 86400 in s.yaml: a record that expires before FC's last redelivery of its event lets that redelivery take a second backup\)/,
    );
    expect(loadConfig({ IDEMPOTENCY_TTL_SECONDS: '86400' }).recordTtlMs).toBe(86_400_000);
  });

  it('CLOUD_LIST_LAG_MS: 5 s by default, read and bounded', () => {
    expect(loadConfig({}).listLagMs).toBe(5_000);
    expect(loadConfig({ CLOUD_LIST_LAG_MS: '1500' }).listLagMs).toBe(1_500);
    expect(() => loadConfig({ CLOUD_LIST_LAG_MS: '-1' })).toThrow(/CLOUD_LIST_LAG_MS: "-1" — must be a whole number from 0 to 300000/);
  });
});

describe('loadConfig: settings that together can never work', () => {
  it('a lease shorter than the connect timeout is refused, naming both (it would stop every backup before the cloud)', () => {
    expect(() => loadConfig({ IDEMPOTENCY_LEASE_MS: '3000' })).toThrow(/IDEMPOTENCY_LEASE_MS: 3000 — must be at least 5500: 500 ms more than CLOUD_CONNECT_TIMEOUT_MS \(5000\)/);
    expect(() => loadConfig({ IDEMPOTENCY_LEASE_MS: '3000', CLOUD_READ_TIMEOUT_MS: '4000' })).toThrow(/more than CLOUD_READ_TIMEOUT_MS \(4000\)/);
    // With the connect timeout lowered to fit, the same lease is accepted.
    expect(loadConfig({ IDEMPOTENCY_LEASE_MS: '3000', CLOUD_CONNECT_TIMEOUT_MS: '1000' }).leaseMs).toBe(3000);
    expect(loadConfig({}).leaseMs).toBe(30_000);
  });

  it('DEADLINE_SAFETY_MS at or past FC_TIMEOUT is refused, naming both', () => {
    expect(() => loadConfig({ DEADLINE_SAFETY_MS: '60000', FC_TIMEOUT: '60' })).toThrow(/DEADLINE_SAFETY_MS: 60000 — must be less than FC_TIMEOUT \(60 s = 60000 ms\)/);
    expect(loadConfig({ DEADLINE_SAFETY_MS: '5000', FC_TIMEOUT: '60' }).deadlineSafetyMs).toBe(5000);
  });
});
