// `fc-db-backup deploy-gate`: a CI step that asks the deploy hook for backups and waits until every one is final.
import { parseArgs } from 'node:util';
import type { BackupStatus } from '../../shared/backup/status';
import { nextPollMs } from '../../shared/backup/wait';
import { deployHeaders } from '../../shared/http/signatures/http-adapters';
import { jsonArg, seconds } from '../args';
import { out, usage, type Command, type Out } from '../command';
import { EXIT, httpExit } from '../exit';
import { http } from '../http';
import { progressReporter } from '../progress';
import { hookSecret } from '../secrets';

export const deployGate: Command = {
  name: 'deploy-gate',
  usage: `  fc-db-backup deploy-gate --url URL --targets JSON|@file --deploy-id ID [--reason TEXT] [--wait S] [--json]
      --url        the deploy-hook function's URL, with or without the trailing /backups
      --wait S     wait up to S seconds (default 600) until every backup is final`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { url: { type: 'string' }, targets: { type: 'string' }, 'deploy-id': { type: 'string' }, reason: { type: 'string' }, wait: { type: 'string', default: '600' }, json: { type: 'boolean' } },
    });
    const o = out(values.json ?? false);
    if (!values.url || !values.targets || !values['deploy-id']) throw usage('deploy-gate needs --url, --targets and --deploy-id');
    const waitSec = seconds(values.wait, '--wait');
    const targets = jsonArg(values.targets, '--targets');
    const secret = hookSecret();
    // The base URL or the POST's own (…/backups), as pasted from the curl example: the same gate either way.
    const base = values.url.replace(/\/+$/, '').replace(/\/backups$/, '');
    const started = Date.now();
    const deadline = started + waitSec * 1000;
    // The webhook blocks for at most its own timeout; ask it to wait, then poll the status for the rest.
    const body = JSON.stringify({ targets, deployId: values['deploy-id'], reason: values.reason, wait: Math.min(waitSec, 60) });
    let res = await http(`${base}/backups`, { method: 'POST', headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', body, secret) }, body });
    // A refusal (401, 400, 422…) is all there is to say: no progress, no job lines.
    if (res.status >= 400) return refused(o, res);
    const progress = progressReporter(`deploy ${values['deploy-id']}`, o.json);
    // 202 while any job runs, 200 once all are final.
    while (res.status === 202 && Date.now() < deadline) {
      progress.update(summaryStatus(res.json));
      await new Promise((r) => setTimeout(r, Math.min(nextPollMs(Date.now() - started, 1_000, 5_000), Math.max(0, deadline - Date.now()))));
      const path = String((res.json as { statusPath?: string }).statusPath);
      // The function sees its own path (/backups/ID), whatever prefix a gateway or custom domain adds.
      res = await http(`${base}${path}`, { method: 'GET', headers: deployHeaders('GET', path, '', secret) });
      if (res.status >= 400) return refused(o, res);
    }
    const report = res.json as GateReport;
    const jobs = report.jobs ?? [];
    progress.done(summaryStatus(report));
    const lines = jobs.map((j) => `  ${j.state.padEnd(10)} ${j.product} ${j.instanceId}${j.jobId ? ` job ${j.jobId}` : ''}${j.error?.message ? ` — ${j.error.message}` : ''}`);
    // No job is not success: the targets' selectors matched no database, so nothing was backed up.
    const verdict = jobs.length === 0 ? 'no database matched the targets; nothing was backed up' : report.ok ? 'all backups succeeded' : report.done ? 'a backup FAILED' : `backups still running after ${waitSec}s`;
    o.print([`Deploy gate: ${verdict}`, ...lines].join('\n'), report);
    return jobs.length === 0 ? EXIT.failed : report.ok ? EXIT.ok : report.done ? EXIT.failed : EXIT.timeout;
  },
};

interface GateReport {
  ok?: boolean;
  done?: boolean;
  jobs?: { product: string; instanceId: string; state: string; jobId?: string; error?: { message?: string } }[];
  error?: { message?: string };
}

function refused(o: Out, res: { status: number; json: unknown }): number {
  const report = res.json as GateReport;
  // A 503 for a target that failed retryably carries the jobs, not one error: name each failed target.
  const failed = (report.jobs ?? []).flatMap((j) => (j.error?.message ? [`${j.product} ${j.instanceId}: ${j.error.message}`] : []));
  const why = report.error?.message ?? (failed.join('; ') || 'no message');
  const exit = httpExit(res.status);
  const head = exit === EXIT.retry ? `Deploy gate: try again later (HTTP ${res.status}); the same --deploy-id takes no second backup` : `Deploy gate refused (HTTP ${res.status})`;
  o.print(`${head}: ${why}`, { status: res.status, ...report });
  return exit;
}

function summaryStatus(report: unknown): BackupStatus {
  const jobs = ((report as { jobs?: { state: string; progress?: number | null }[] })?.jobs ?? []) as { state: string; progress?: number | null }[];
  if (jobs.length === 0) return { state: 'unknown', progress: null };
  const progress = jobs.reduce((a, j) => a + (j.state === 'succeeded' || j.state === 'failed' ? 100 : (j.progress ?? 0)), 0) / jobs.length;
  const state = jobs.some((j) => j.state === 'failed') ? 'failed' : jobs.every((j) => j.state === 'succeeded') ? 'succeeded' : 'running';
  return { state, progress: Math.round(progress) };
}
