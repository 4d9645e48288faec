import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config';

describe('loadConfig: the security settings', () => {
  it('defaults: 20 selectors a request, 2 ad-hoc backups per database per hour, no corp check, no local receiver', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ maxSelectorsPerRequest: 20, adhocBackupsPerHour: 2, dingtalkCorpId: undefined, chatReplyLocalReceiver: undefined });
  });

  it('reads and trims them', () => {
    const c = loadConfig({ MAX_SELECTORS_PER_REQUEST: '5', ADHOC_BACKUPS_PER_HOUR: '4', DINGTALK_CORP_ID: ' ding123 ', CHAT_REPLY_LOCAL_RECEIVER: 'http://127.0.0.1:8789 ', CHATOPS_ACL: '[]' });
    expect(c).toMatchObject({ maxSelectorsPerRequest: 5, adhocBackupsPerHour: 4, dingtalkCorpId: 'ding123', chatReplyLocalReceiver: 'http://127.0.0.1:8789', chatopsAcl: '[]' });
  });

  it('refuses a limit that would switch the protection off, naming the variable, the value and the rule', () => {
    expect(() => loadConfig({ ADHOC_BACKUPS_PER_HOUR: '0' })).toThrow(/ADHOC_BACKUPS_PER_HOUR: "0" — must be a whole number from 1 to 100/);
    expect(() => loadConfig({ MAX_SELECTORS_PER_REQUEST: 'lots' })).toThrow(/MAX_SELECTORS_PER_REQUEST: "lots" — must be a whole number from 1 to 1000/);
  });
});
