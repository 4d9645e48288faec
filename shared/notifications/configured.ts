// The channels the configuration names (NOTIFY_DINGTALK_WEBHOOK_URL with NOTIFY_DINGTALK_SECRET,
// NOTIFY_SLACK_WEBHOOK_URL); none configured means alerts are only logged.
import type { Config } from '../config';
import type { NotifyChannel } from './channel';
import { dingtalkRobot } from './dingtalk-robot';
import { slackWebhook } from './slack-webhook';

export function configuredChannels(c: Pick<Config, 'notifyDingtalkUrl' | 'notifyDingtalkSecret' | 'notifySlackUrl'>): NotifyChannel[] {
  return [
    ...(c.notifyDingtalkUrl ? [dingtalkRobot(c.notifyDingtalkUrl, c.notifyDingtalkSecret)] : []),
    ...(c.notifySlackUrl ? [slackWebhook(c.notifySlackUrl)] : []),
  ];
}
