// Issue 16: text someone else chose (a deployId, which may look like a URL; an instance id; a requester) reaches the
// on-call channels as code, never as a live link or mention, whatever validated it upstream.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../shared/notifications/alert';
import { dingtalkMarkdown } from '../../../shared/notifications/dingtalk-robot';
import { slackBlocks } from '../../../shared/notifications/slack-webhook';

const deployId = 'https://evil.example/<!channel>';
const alert = (): Alert => ({
  id: 'record:fcdb_x',
  kind: 'job-failed',
  title: 'Backup job failed: rds rm-<@U1>',
  database: { product: 'rds', instanceId: 'rm-`<https://evil.example|click>`' },
  code: 'BackupJobFailed',
  message: 'Job 7 failed <!here> see https://evil.example/help & more',
  action: 'Retry <!channel>.',
  at: '2026-12-04T02:00:00.000Z',
  facts: { trigger: `deploy ${deployId}`, requestedBy: '"Manager" ("manager01 @all [x](https://evil.example)")', key: 'fcdb_x' },
});

type MrkdwnObject = { type: string; text: string; verbatim?: boolean };
function mrkdwnObjects(blocks: Record<string, unknown>[]): MrkdwnObject[] {
  const out: MrkdwnObject[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' || o.type === 'plain_text') out.push(o as unknown as MrkdwnObject);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}

describe('Slack: user text in an alert', () => {
  const body = slackBlocks(alert()) as { text: string; blocks: Record<string, unknown>[] };
  const texts = mrkdwnObjects(body.blocks);

  it('every mrkdwn object is verbatim (no auto-linked URLs or parsed mentions) and no text carries a control sequence', () => {
    expect(texts.filter((t) => t.type === 'mrkdwn').length).toBeGreaterThan(3);
    for (const t of texts.filter((x) => x.type === 'mrkdwn')) expect(t.verbatim).toBe(true);
    for (const t of [...texts.filter((x) => x.type === 'mrkdwn').map((x) => x.text), body.text]) expect(t).not.toMatch(/[<>]/);
  });

  it('the deployId, the instance id and the requester are inline code, whose backticks cannot be closed from inside', () => {
    const fields = texts.map((t) => t.text);
    expect(fields).toContain('*trigger*\n`deploy https://evil.example/&lt;!channel&gt;`');
    expect(fields).toContain('*Database*\nrds `rm-ˋ&lt;https://evil.example|click&gt;ˋ`');
    expect(fields).toContain('*requestedBy*\n`"Manager" ("manager01 @all [x](https://evil.example)")`');
    expect(body.text).toContain('rds `rm-ˋ&lt;https://evil.example|click&gt;ˋ`');
  });
});

describe('DingTalk: user text in an alert', () => {
  const { text } = dingtalkMarkdown(alert());
  const zw = '\u200b';

  it('no HTML, no link syntax, no recognisable URL or mention in what someone else chose', () => {
    expect(text).not.toMatch(/<(?!font color="#888888">|\/font>)/);
    expect(text).not.toMatch(/\]\(/);
    const trigger = text.split('\n').find((l) => l.startsWith('- **trigger**')) as string;
    expect(trigger).toBe(`- **trigger**: \`deploy https:${zw}//evil.${zw}example/&lt;&#33;channel&gt;\``);
    expect(trigger).not.toMatch(/https:\/\//);
    const by = text.split('\n').find((l) => l.startsWith('- **requestedBy**')) as string;
    expect(by).toBe(`- **requestedBy**: \`"Manager" &#40;"manager01 @${zw}all &#91;x&#93;&#40;https:${zw}//evil.${zw}example&#41;"&#41;\``);
    expect(text).toContain('- **database**: rds `rm-ˋ&lt;https:\u200b//evil.\u200bexample|click&gt;ˋ`');
  });

  it('the prose keeps its words but not its markup', () => {
    expect(text).toContain('Job 7 failed &lt;!here&gt; see https://evil.example/help &amp; more');
    expect(text).toContain('**What to do**: Retry &lt;!channel&gt;.');
  });
});
