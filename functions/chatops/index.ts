// Chat commands from Slack (POST /slack, slash command) and DingTalk (POST /dingtalk, outgoing robot).
// A verified request always gets 200 with a chat message within Slack's 3 seconds: the backup itself runs in
// backup-worker, keyed by the platform's own request id, so a platform retry takes no second backup; a `drill` runs in
// restore-drill the same way, which posts its outcome here when the drill ends.
import { recordedPostureSource } from '../../shared/posture/drift';
import { hasRules } from '../../shared/posture/rules';
import { restorePointsFrom } from '../../shared/restore-points/snapshot';
import * as z from 'zod/mini';
import { chatMessage, type ChatPlatform, type ReplyTo } from '../../shared/chat/reply';
import { checkReplyUrl } from '../../shared/chat/reply-url';
import { quoteUserText } from '../../shared/chat/user-text';
import { earlier } from '../../shared/deadline';
import { asAmbiguous, BackupError, drillNotCovered, toBackupError, validationError } from '../../shared/errors';
import { httpApp } from '../../shared/http/app';
import { idempotencyKey } from '../../shared/idempotency/key';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';
import type { Logger } from '../../shared/logger';
import { jsonResponse } from '../../shared/http/middleware/response';
import { validate } from '../../shared/http/middleware/validator';
import { verifySignature } from '../../shared/http/middleware/signature-verifier';
import type { HttpRequest } from '../../shared/http/request';
import type { FcContext } from '../../shared/fc/events';
import { signatureSchemes } from '../../shared/http/signatures/http-adapters';
import { findStatus, statusLine, type StatusGuard } from '../../shared/history/lookup';
import { subjectOf } from '../../shared/history/history';
import { coverage } from '../../shared/report/covered';
import { reportText } from '../../shared/report/render';
import { buildReport } from '../../shared/report/report';
import { drillLogFor } from '../../shared/drill/log';
import { dingtalkSignHeader, dingtalkTimestampHeader, dingtalkToleranceMs } from '../../shared/http/signatures/dingtalk';
import { refuseReplays } from '../../shared/http/middleware/replay-guard';
import { takeAdhocSlot } from '../../shared/ratelimit/adhoc-limit';
import { instanceIdOf } from '../../shared/backup/targets';
import { dispatchToWorker, invokeAsync } from '../../shared/fc/worker-dispatch';
import { resolveTargets } from '../../shared/backup/discovery';
import { loadDrillConfig } from '../../shared/drill/config';
import type { RunEvent } from '../../shared/drill/run-event';
import { allows, allowsDashboard, parseAcl, scopeOf, type Acl, type Caller } from './acl';
import { aclSubjects } from './acl-subject';
import { checkSecret } from '../../shared/http/signatures/secret';
import { dashboardLink, dashboardSecretEnv, mintToken } from '../../shared/dashboard/token';
import { parseCommand, usage, type Command } from './commands';

interface ChatRequest {
  platform: ChatPlatform;
  text: string;
  /** The platform's id of this request: Slack's trigger_id, DingTalk's msgId. */
  requestId: string;
  caller: Caller;
  /** The display name the user chose: shown (quoted), never matched. */
  userName?: string;
  replyTo: ReplyTo;
  /** Only the asker sees the answer (a Slack ephemeral reply, a DingTalk one-to-one chat): a dashboard link may go there. */
  privateReply: boolean;
}

// The reply address is checked against the platform's own host after validation (it needs the configuration).
const url = z.string().check(z.maxLength(2048));
const text = (max: number) => z.string().check(z.maxLength(max));
const id = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

// Slack sends many more fields; only these are ours to rely on.
const slackForm = z.looseObject({
  text: z.optional(text(2000)),
  team_id: id(64),
  enterprise_id: z.optional(text(64)),
  user_id: id(64),
  user_name: z.optional(text(128)),
  channel_id: z.optional(text(64)),
  trigger_id: id(256),
  response_url: url,
});

const dingtalkMessage = z.looseObject({
  msgId: id(256),
  text: z.looseObject({ content: text(2000) }),
  senderStaffId: z.optional(text(128)),
  senderId: z.optional(text(256)),
  senderNick: z.optional(text(128)),
  senderCorpId: z.optional(text(128)),
  chatbotCorpId: z.optional(text(128)),
  conversationId: z.optional(text(256)),
  conversationType: z.optional(text(8)),
  sessionWebhook: url,
});

/** A `status` ref naming a database outside the caller's rule (answered as a refusal, not a failure). */
const outsideRule = 'OutsideAclRule';

async function handleCommand(chat: ChatRequest, inv: Invocation, context: FcContext, logger: Logger): Promise<string> {
  let command;
  try {
    command = parseCommand(chat.text);
  } catch (e) {
    return toBackupError(e).message;
  }
  if (command.name === 'help') return usage;

  const acl = parseAcl(inv.config.chatopsAcl);
  const { caller } = chat;
  const aclSubject = aclSubjects(inv.deps);
  // `drill` is asked about its database as `backup` is: a rule limited to some databases drills only those.
  const subject =
    command.name === 'backup'
      ? aclSubject({ product: command.target.product, instanceId: instanceIdOf(command.target), ...(command.target.RegionId ? { RegionId: command.target.RegionId } : {}) })
      : command.name === 'drill'
        ? aclSubject(command.run)
        : undefined;
  // DingTalk's senderStaffId is as unsigned as its nickname (docs/dingtalk-robot.md): shown the same way, quoted and
  // cut short, never raw. Slack's user_id is covered by its signature.
  const shownId = chat.platform === 'dingtalk' ? quoteUserText(caller.userId) : caller.userId;
  const who = chat.userName ? `${quoteUserText(chat.userName)} (${shownId})` : shownId;
  let allowed: boolean;
  try {
    allowed = await allows(acl, caller, command.name, subject);
  } catch (e) {
    const err = toBackupError(e);
    logger.error('chatops ACL check failed', { platform: chat.platform, command: command.name, userId: caller.userId, code: err.code, message: err.message });
    return `Could not check whether ${who} may run "${command.name}": ${err.message}`;
  }
  if (!allowed) {
    logger.warn('chatops command denied', { command: command.name, ...caller, ...(acl.problem ? { aclProblem: acl.problem } : {}) });
    return `Sorry, ${who} is not allowed to run "${command.name}"${databaseOf(command) ? ` on ${databaseOf(command)}` : ''}${caller.channelId ? ' here' : ''}. Ask an administrator to add you to CHATOPS_ACL.`;
  }

  try {
    if (command.name === 'report') {
      const scope = scopeOf(acl, caller, 'report');
      const { covered, warnings } = await coverage(inv.config.backupTargets, inv.deps, 'BACKUP_TARGETS');
      const report = await buildReport({
        history: inv.history,
        covered,
        // A warning about the configured targets may name any database or tag: only a fleet-wide reader sees them.
        warnings: scope.fleetWide || warnings.length === 0 ? warnings : ['warnings about the configured targets are left out here (they may name databases outside your rule); fc-db-backup report shows them'],
        maxAgeMs: inv.config.reportMaxAgeMs,
        restorePoints: restorePointsFrom(inv.deps.store),
        drills: drillLogFor(inv.deps.store),
        // The verdicts the tracker last recorded: chat makes no posture reads of its own.
        ...(hasRules(inv.posture) ? { posture: recordedPostureSource(inv.deps.store) } : {}),
        ...(scope.fleetWide ? {} : { scope: { covers: (d) => scope.covers(aclSubject(d)), none: 'No database your CHATOPS_ACL rule covers has a history or a configured target.' } }),
      });
      return `${reportText(report)}${await dashboardLine(chat, acl, inv, logger)}`;
    }
    if (command.name === 'status') {
      const scope = scopeOf(acl, caller, 'status');
      // One answer for a ref naming a database outside the rule and for one naming nothing: a refusal must not tell
      // which databases, deploys or jobs exist.
      const refusal = `Sorry, "${command.ref}" names nothing ${who} may see: status answers only for databases your CHATOPS_ACL rule covers, and a deploy only when it covers all of its databases.`;
      const guard: StatusGuard = async (databases) => {
        for (const d of databases) if (!(await scope.covers(aclSubject(d)))) throw new BackupError({ code: outsideRule, category: 'permission', message: refusal });
      };
      try {
        return (await findStatus(command.ref, inv.history, inv.deps, undefined, scope.fleetWide ? undefined : guard)).map(statusLine).join('\n');
      } catch (e) {
        const err = toBackupError(e);
        if (err.code === outsideRule || (!scope.fleetWide && err.category === 'not-found')) {
          logger.warn('chatops status refused: the ref names a database outside the rule, or nothing', { ref: command.ref, ...caller });
          return refusal;
        }
        throw e;
      }
    }
    if (command.name === 'drill') return await askForDrill(command.run, chat, who, inv, context, logger);
    const key = idempotencyKey('chat', [chat.platform, chat.requestId], command.target);
    // An ad-hoc backup: within ADHOC_BACKUPS_PER_DAY for this database (a platform retry of the same request reuses its slot).
    await takeAdhocSlot(inv.deps.store, { product: command.target.product, instanceId: instanceIdOf(command.target) }, key, inv.config.adhocBackupsPerDay);
    // Slack wants an answer within 3 s: retries of the (idempotent) invoke fit in 2.5 s, then a clear message.
    const budget = earlier(inv.deps.deadline, Date.now() + 2_500);
    // Recorded before the hand-over: a task FC loses is found by the tracker and dispatched again.
    await inv.history.expect(subjectOf(key, command.target, { trigger: 'chat', replyTo: chat.replyTo, requestedBy: who })).catch((e: unknown) =>
      logger.warn('dispatch not recorded; the worker records the backup itself', { key, code: toBackupError(e).code }),
    );
    await dispatchToWorker({ context, functionName: inv.config.workerFunction, env: inv.deps.env, credentials: inv.deps.credentials, timeoutMs: 1_000, deadline: budget }, { key, target: command.target, replyTo: chat.replyTo, requestedBy: who, requestedAt: new Date().toISOString() }).catch(
      async (e: unknown) => Promise.reject(await withdrawn(inv, key, toBackupError(e), logger)),
    );
    logger.info('chatops backup dispatched', { platform: chat.platform, key, product: command.target.product, instanceId: instanceIdOf(command.target), userId: caller.userId });
    return `Backup of ${command.target.product} ${instanceIdOf(command.target)} requested by ${who}. I'll post the result here when it finishes.`;
  } catch (e) {
    const err = toBackupError(e);
    logger.error('chatops command failed', {
      platform: chat.platform,
      command: command.name,
      ...(command.name === 'backup' ? { product: command.target.product, instanceId: instanceIdOf(command.target) } : command.name === 'drill' ? command.run : command.name === 'status' ? { ref: command.ref } : {}),
      userId: caller.userId,
      code: err.code,
      retryable: err.retryable,
      message: err.message,
    });
    // A quota says itself when to come back (the ad-hoc limit names the hour).
    const next = !err.retryable || err.category === 'quota'
      ? ''
      : err.ambiguous
        ? command.name === 'drill'
          // A drill has no `status`; asking again is safe: one drill per database per drill period (DRILL_PERIOD).
          ? ' It may still have been queued, and then its outcome will be posted here; asking again starts no second drill this period.'
          : ` It may still have been queued: check with "status ${command.name === 'backup' ? instanceIdOf(command.target) : command.name === 'status' ? command.ref : ''}" before asking again.`
        : ' Nothing was started; try the same command again in a minute.';
    return `Could not run "${command.name}": ${err.message}${next}`;
  }
}

/** The database a command names, for a refusal. */
const databaseOf = (c: Command): string | undefined => (c.name === 'backup' ? instanceIdOf(c.target) : c.name === 'drill' ? c.run.instanceId : undefined);

/** The start of the answer that accepts a drill: Slack shows it to the channel, as a backup's acceptance. */
const drillAccepted = 'Restore drill of';

/**
 * A drill now, handed to restore-drill (DRILL_FUNCTION) asynchronously: a drill takes minutes to hours, and restore-drill
 * posts its outcome to this chat when it ends. The FC task id comes from the platform's request id, so a Slack retry
 * is one task; restore-drill's own claim (one drill per database per period) catches anything FC lets through.
 */
async function askForDrill(run: RunEvent['run'], chat: ChatRequest, who: string, inv: Invocation, context: FcContext, logger: Logger): Promise<string> {
  const what = `${run.product} ${run.instanceId}`;
  const functionName = inv.config.drillFunction;
  if (!functionName) {
    logger.warn('chatops drill refused: DRILL_FUNCTION is not set', { ...run, envVars: ['DRILL_FUNCTION'] });
    return `Sorry, restore drills cannot be asked for from chat here: DRILL_FUNCTION (the restore-drill function) is not set on the chat function. Nothing was started.`;
  }
  // Refused now, not after the hand-over: restore-drill refuses an uncovered database too (the check that counts),
  // but from an asynchronous task that refusal would reach nobody. The same DRILL_TARGETS, resolved the same way.
  const config = loadDrillConfig(inv.deps.env);
  const covered = config.targets.length > 0 && (await resolveTargets(config.targets, inv.deps, { maxTargets: 10_000, field: 'DRILL_TARGETS' })).some((t) => t.product === run.product && instanceIdOf(t) === run.instanceId);
  if (!covered) {
    logger.warn('chatops drill refused: the database is not one the drill configuration covers', { ...run, userId: chat.caller.userId });
    return `Sorry, ${drillNotCovered(run.product, run.instanceId).message}`;
  }
  const taskId = idempotencyKey('chat-drill', [chat.platform, chat.requestId], run);
  // Slack wants an answer within 3 s: retries of the (idempotent) invoke fit in 2.5 s, then a clear message.
  const budget = earlier(inv.deps.deadline, Date.now() + 2_500);
  const event: RunEvent = { run, trigger: 'chat', requestedBy: who.slice(0, 200), replyTo: chat.replyTo };
  const sent = await invokeAsync({ context, functionName, env: inv.deps.env, credentials: inv.deps.credentials, timeoutMs: 1_000, deadline: budget }, event, taskId);
  logger.info('chatops drill dispatched', { platform: chat.platform, taskId, duplicate: sent.duplicate, ...run, userId: chat.caller.userId });
  return `${drillAccepted} ${what} requested by ${who}, with the drill configuration: a backup is restored to a temporary instance, checked and released. I'll post the outcome here when the drill ends.`;
}

/** The chat report's dashboard link, for a caller whose rule allows `dashboard` over the whole fleet. */
async function dashboardLine(chat: ChatRequest, acl: Acl, inv: Invocation, logger: Logger): Promise<string> {
  if (!(await allowsDashboard(acl, chat.caller))) return '';
  if (!chat.privateReply) return '\nFor a dashboard link, ask me for the report in a one-to-one chat: a link here would be visible to everyone in it.';
  const secret = checkSecret(process.env[dashboardSecretEnv]);
  if (!inv.config.dashboardUrl || !secret.ok) {
    logger.warn('no dashboard link in the chat report: DASHBOARD_URL or DASHBOARD_SECRET is not set (or too short)', { envVars: ['DASHBOARD_URL', dashboardSecretEnv] });
    return '';
  }
  const minted = mintToken(secret.secret, { ttlMs: inv.config.dashboardLinkTtlMs });
  logger.info('dashboard link minted for chat', { platform: chat.platform, userId: chat.caller.userId, linkId: minted.linkId, expiresAt: minted.expiresAt });
  return `\nDashboard (only you see this link; valid until ${minted.expiresAt.replace('T', ' ').slice(0, 16)} UTC): ${dashboardLink(inv.config.dashboardUrl, minted.token)}`;
}

/**
 * FC certainly did not take the task and the user is told it failed: the expectation is withdrawn, or
 * the tracker would send the task later, after the user's retry (a new request id) had taken a backup already.
 * Where it cannot be withdrawn the tracker will send it: the error becomes ambiguous, so the user is told to check.
 */
async function withdrawn(inv: Invocation, key: string, err: BackupError, logger: Logger): Promise<BackupError> {
  if (err.ambiguous) return err;
  try {
    await inv.history.withdraw(key, err);
    return err;
  } catch (e) {
    const why = toBackupError(e);
    // Never recorded (expect failed): nothing will send it.
    if (why.code === 'HistoryNotFound') return err;
    logger.warn('failed dispatch not withdrawn; the tracker will send it', { key, code: why.code });
    return asAmbiguous(err);
  }
}

/** The reply address must be the platform's own (reply-url.ts): a forged body must not pick where the worker posts. */
function replyToOf(platform: ChatPlatform, raw: string, field: string, inv: Invocation): ReplyTo {
  const check = checkReplyUrl(platform, raw, inv.config.chatReplyLocalReceiver);
  if (!check.ok) throw validationError([{ field, value: raw, rule: check.rule }], `${platform} request`);
  return { platform, url: raw };
}

const reply = (platform: ChatPlatform, text: string, toAll: boolean) => jsonResponse(200, chatMessage(platform, text, toAll));

export const handler = httpApp({
  routes: [
    {
      method: 'POST',
      path: '/slack',
      auth: verifySignature({ ...signatureSchemes.slack, secret: () => process.env.SLACK_SIGNING_SECRET }),
      body: { allowed: ['application/x-www-form-urlencoded'] },
      use: [validate({ schema: slackForm, what: 'Slack command' })],
      handler: async (req: HttpRequest, { context, logger }) => {
        const f = req.body as z.infer<typeof slackForm>;
        const inv = startInvocation(context);
        const chat: ChatRequest = {
          platform: 'slack',
          text: f.text ?? '',
          requestId: f.trigger_id,
          caller: { platform: 'slack', workspaces: [f.team_id, ...(f.enterprise_id ? [f.enterprise_id] : [])], userId: f.user_id, channelId: f.channel_id },
          userName: f.user_name,
          replyTo: replyToOf('slack', f.response_url, 'response_url', inv),
          // Answers other than a backup's acceptance are ephemeral: only the asker sees them.
          privateReply: true,
        };
        const text = await handleCommand(chat, inv, context, logger);
        return reply('slack', text, text.startsWith('Backup of') || text.startsWith(drillAccepted));
      },
    },
    {
      method: 'POST',
      path: '/dingtalk',
      auth: [
        verifySignature({ ...signatureSchemes.dingtalk, secret: () => process.env.DINGTALK_APP_SECRET }),
        // The sign covers only the timestamp: each (timestamp, sign) is accepted once, for as long as it is fresh.
        refuseReplays({
          name: 'dingtalk',
          idOf: (req) => `${req.headers[dingtalkTimestampHeader]?.trim()}:${req.headers[dingtalkSignHeader]?.trim()}`,
          windowMs: 2 * dingtalkToleranceMs + 1000,
          store: (r) => startInvocation(r.context).deps.store,
        }),
      ],
      body: { allowed: ['application/json'] },
      use: [validate({ schema: dingtalkMessage, what: 'DingTalk message' })],
      handler: async (req: HttpRequest, { context, logger }) => {
        const m = req.body as z.infer<typeof dingtalkMessage>;
        const inv = startInvocation(context);
        const corp = inv.config.dingtalkCorpId;
        // The body is unsigned (docs/dingtalk-robot.md); where the deployment names its corp, the robot's must match.
        if (corp !== undefined && m.chatbotCorpId !== corp) {
          logger.warn('dingtalk message refused: chatbotCorpId is not DINGTALK_CORP_ID', { chatbotCorpId: m.chatbotCorpId ?? null });
          throw new BackupError({ code: 'Forbidden', category: 'permission', message: 'This DingTalk robot does not belong to the organisation this function serves.' });
        }
        const chat: ChatRequest = {
          platform: 'dingtalk',
          text: m.text.content,
          requestId: m.msgId,
          caller: { platform: 'dingtalk', workspaces: [m.senderCorpId ?? m.chatbotCorpId ?? ''], userId: m.senderStaffId ?? '', channelId: m.conversationId },
          userName: m.senderNick,
          replyTo: replyToOf('dingtalk', m.sessionWebhook, 'sessionWebhook', inv),
          // DingTalk's conversationType "1" is a one-to-one chat; "2" a group, where everyone reads the answer.
          privateReply: m.conversationType === '1',
        };
        return reply('dingtalk', await handleCommand(chat, inv, context, logger), true);
      },
    },
  ],
});
