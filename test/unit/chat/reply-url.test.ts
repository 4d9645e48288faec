import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReplyUrl } from '../../../shared/chat/reply-url';

describe('checkReplyUrl', () => {
  it("accepts each platform's own reply addresses", () => {
    expect(checkReplyUrl('slack', 'https://hooks.slack.com/commands/T1/123/abc').ok).toBe(true);
    expect(checkReplyUrl('dingtalk', 'https://oapi.dingtalk.com/robot/sendBySession?session=xyz').ok).toBe(true);
  });

  it.each([
    ['slack', 'http://hooks.slack.com/commands/T1/1/x'],
    ['slack', 'https://hooks.slack.com.evil.example/commands/x'],
    ['slack', 'https://evil.example/hooks.slack.com/commands/x'],
    ['slack', 'https://hooks.slack.com@evil.example/commands/x'],
    ['slack', 'https://u:p@hooks.slack.com/commands/x'],
    ['slack', 'https://hooks.slack.com:444/commands/x'],
    ['slack', 'https://hooks.slack.com/services/T1/B1/x'],
    ['slack', 'https://oapi.dingtalk.com/robot/sendBySession?session=x'],
    ['dingtalk', 'https://hooks.slack.com/commands/x'],
    ['dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=x'],
    ['dingtalk', 'https://10.0.0.1/robot/sendBySession'],
    ['dingtalk', 'https://[::1]/robot/sendBySession'],
    ['dingtalk', 'file:///etc/passwd'],
    ['dingtalk', 'not a url'],
  ] as const)('%s refuses %s', (platform, url) => {
    expect(checkReplyUrl(platform, url)).toMatchObject({ ok: false });
  });

  it('the local receiver opens its own loopback origin only, and only when it is loopback', () => {
    expect(checkReplyUrl('slack', 'http://127.0.0.1:8789/slack/response/1', 'http://127.0.0.1:8789').ok).toBe(true);
    expect(checkReplyUrl('slack', 'http://127.0.0.1:8790/x', 'http://127.0.0.1:8789').ok).toBe(false);
    // Misconfigured with a network address, it opens nothing.
    expect(checkReplyUrl('slack', 'http://10.0.0.5:80/x', 'http://10.0.0.5:80').ok).toBe(false);
    expect(checkReplyUrl('slack', 'http://metadata.internal/x', 'http://metadata.internal').ok).toBe(false);
  });

  it('any string: accepted only on the allowed hosts (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.string()), (url) => {
        const r = checkReplyUrl('dingtalk', url);
        if (r.ok) expect(r.url.hostname).toBe('oapi.dingtalk.com');
      }),
      { numRuns: 1000 },
    );
  });
});
