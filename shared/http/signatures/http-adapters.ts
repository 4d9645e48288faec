// Where each scheme finds its inputs in a normalised HTTP request (lower-cased header names, raw body bytes),
// plus the headers a sender (the CLI, tests) attaches. The middleware in shared/http/middleware/signature-verifier.ts
// takes one of these; the secrets come from the route's configuration.
import { dingtalkSignHeader, dingtalkTimestampHeader, signDingtalk, verifyDingtalkSignature } from './dingtalk';
import { signDeployRequest, verifyDeployRequest } from './deploy-request';
import type { Clock, VerifyResult } from './result';
import { signSlack, slackSignatureHeader, slackTimestampHeader, verifySlackSignature } from './slack';

/** The part of a normalised request a signature check reads (structurally an `HttpRequest`). */
export interface SignedRequest {
  method: string;
  path: string;
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
}

export type RequestVerifier = (req: SignedRequest, secret: string | undefined, now: Clock) => VerifyResult;

export const deployRequestVerifier: RequestVerifier = verifyDeployRequest;

export const slackRequestVerifier: RequestVerifier = (req, secret, now) =>
  verifySlackSignature({
    rawBody: req.rawBody,
    timestamp: req.headers[slackTimestampHeader],
    signature: req.headers[slackSignatureHeader],
    secret,
    now,
  });

export const dingtalkRequestVerifier: RequestVerifier = (req, secret, now) =>
  verifyDingtalkSignature({ timestamp: req.headers[dingtalkTimestampHeader], sign: req.headers[dingtalkSignHeader], secret, now });

/** Names, environment variables (s.yaml) and verifiers of the three schemes, for `verifySignature({...scheme, secret})`. */
export const signatureSchemes = {
  deploy: { name: 'deploy', secretEnv: 'DEPLOY_HOOK_SECRET', verify: deployRequestVerifier },
  slack: { name: 'slack', secretEnv: 'SLACK_SIGNING_SECRET', verify: slackRequestVerifier },
  dingtalk: { name: 'dingtalk', secretEnv: 'DINGTALK_APP_SECRET', verify: dingtalkRequestVerifier },
} as const satisfies Record<string, { name: string; secretEnv: string; verify: RequestVerifier }>;

/** The deploy gate's headers for one request; `path` is the function's own (/backups, /backups/<id>). */
export const deployHeaders = (method: string, path: string, body: Buffer | string, secret: string, nowMs: number = Date.now()): Record<string, string> =>
  signDeployRequest({ method, path, body }, secret, nowMs);

/** `nowMs` in epoch milliseconds, like everywhere else; Slack's header carries seconds. */
export function slackHeaders(body: Buffer | string, secret: string, nowMs: number = Date.now()): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return { [slackTimestampHeader]: String(ts), [slackSignatureHeader]: signSlack(body, ts, secret) };
}

export function dingtalkHeaders(secret: string, nowMs: number = Date.now()): Record<string, string> {
  return { [dingtalkTimestampHeader]: String(nowMs), [dingtalkSignHeader]: signDingtalk(nowMs, secret) };
}
