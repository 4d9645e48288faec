// `fc-db-backup chat`: a signed Slack slash command or DingTalk robot message to the chatops function, and its reply.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { dingtalkHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { out, usage, type Command } from '../command';
import { EXIT, httpExit } from '../exit';
import { http } from '../http';
import { secretFromEnv } from '../secrets';

/** Who a local chat command comes from when --user / --channel are not given: allowed by the local stack's CHATOPS_ACL. */
const chatDefaults = { user: 'U0LOCAL', userName: 'local-user', slackChannel: 'C0LOCAL', dingtalkChannel: 'cid-local' };

export const chat: Command = {
  name: 'chat',
  usage: `  fc-db-backup chat <slack|dingtalk> "<text>" --url URL [--user U] [--channel C] [--reply-url URL] [--json]
      sends "<text>" as a signed Slack slash command or DingTalk robot message to the chatops function at --url
      (e.g. http://127.0.0.1:8788/chatops) and prints its reply; the result of a backup is posted later to
      --reply-url, by default the local stack's receiver ($LOCAL_RECEIVER_URL, else http://127.0.0.1:8789)`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { url: { type: 'string' }, user: { type: 'string' }, channel: { type: 'string' }, 'reply-url': { type: 'string' }, json: { type: 'boolean' } },
    });
    const o = out(values.json ?? false);
    const [platform, text, ...extra] = positionals;
    if (platform !== 'slack' && platform !== 'dingtalk') throw usage(`chat needs a platform, slack or dingtalk${platform ? `, got "${platform}"` : ''}`);
    if (text === undefined) throw usage('chat needs the command text, e.g. chat slack "backup rds rm-sample1 Physical" --url http://127.0.0.1:8788/chatops');
    if (extra.length > 0) throw usage(`chat takes the command text as one argument: quote it ("${[text, ...extra].join(' ')}")`);
    if (!values.url) throw usage('chat needs --url, the chatops function\'s base URL (e.g. http://127.0.0.1:8788/chatops)');
    const base = values.url.replace(/\/+$/, '');
    const user = values.user ?? chatDefaults.user;
    const userName = values.user ?? chatDefaults.userName;
    const receiver = (process.env.LOCAL_RECEIVER_URL || 'http://127.0.0.1:8789').replace(/\/+$/, '');

    let url: string;
    let body: string;
    let headers: Record<string, string>;
    if (platform === 'slack') {
      const secret = secretFromEnv('SLACK_SIGNING_SECRET', "the Slack app's signing secret");
      body = new URLSearchParams({
        token: 'local',
        team_id: 'T0LOCAL',
        team_domain: 'local',
        channel_id: values.channel ?? chatDefaults.slackChannel,
        channel_name: 'local',
        user_id: user,
        user_name: userName,
        command: '/backup',
        text,
        api_app_id: 'A0LOCAL',
        response_url: values['reply-url'] ?? `${receiver}/slack/response/${randomUUID()}`,
        // Slack's shape: <seconds>.<digits>.<hex>; unique per command, so every command is a new request.
        trigger_id: `${Math.floor(Date.now() / 1000)}.${randomInt(1e9)}.${randomBytes(16).toString('hex')}`,
      }).toString();
      url = `${base}/slack`;
      headers = { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secret) };
    } else {
      const secret = secretFromEnv('DINGTALK_APP_SECRET', "the DingTalk robot's AppSecret");
      body = JSON.stringify({
        msgtype: 'text',
        text: { content: text },
        msgId: `msg${randomBytes(16).toString('base64url')}`,
        createAt: Date.now(),
        conversationType: '2',
        conversationId: values.channel ?? chatDefaults.dingtalkChannel,
        conversationTitle: 'local',
        senderId: user,
        senderNick: userName,
        senderStaffId: user,
        senderCorpId: 'dinglocal',
        chatbotCorpId: 'dinglocal',
        chatbotUserId: 'local-robot',
        sessionWebhook: values['reply-url'] ?? `${receiver}/dingtalk/session/${randomUUID()}`,
        sessionWebhookExpiredTime: Date.now() + 90 * 60_000,
      });
      url = `${base}/dingtalk`;
      headers = { 'content-type': 'application/json', ...dingtalkHeaders(secret) };
    }

    const res = await http(url, { method: 'POST', headers, body });
    const reply = res.json as { text?: unknown; error?: { message?: string }; errorMessage?: string };
    if (res.status !== 200) {
      o.print(`Chat command refused (HTTP ${res.status}): ${reply.error?.message ?? reply.errorMessage ?? 'no message'}`, { status: res.status, ...reply });
      return httpExit(res.status);
    }
    const answer = typeof reply.text === 'string' ? reply.text : (reply.text as { content?: string } | undefined)?.content;
    o.print(answer ?? JSON.stringify(reply), { status: res.status, reply });
    return EXIT.ok;
  },
};
