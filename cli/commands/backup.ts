// `fc-db-backup backup`: one backup through the engine with the operator's credentials, optionally waited on.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { callerFor, requestBackup } from '../../shared/backup/engine';
import { planBackup } from '../../shared/backup/dry-run';
import { instanceIdOf, targetFromWords } from '../../shared/backup/targets';
import { isFinal, waitForJob } from '../../shared/backup/wait';
import { createDeadline } from '../../shared/deadline';
import { startInvocation } from '../../shared/fc/invocation';
import { idempotencyKey } from '../../shared/idempotency/key';
import { visit } from '../../shared/tracking/sweep';
import { followFor } from '../../shared/tracking/wiring';
import { seconds } from '../args';
import { out, usage, type Command } from '../command';
import { cliContext, toStderr } from '../context';
import { EXIT, stateExit } from '../exit';
import { progressReporter } from '../progress';

export const backup: Command = {
  name: 'backup',
  usage: `  fc-db-backup backup <product> <instance-id> [--method M] [--region R] [--wait S] [--dry-run] [--key K] [--json]
      product  rds | polardb | mongodb           method  Physical | Logical | Snapshot (RDS, MongoDB)
      --wait S     wait up to S seconds for the backup to finish (progress bar on a terminal)
      --dry-run    print the call it would make, or the job it would replay for an already used --key
      --key K      idempotency key: the same K for the same target never takes a second backup (CI retries)`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { method: { type: 'string' }, region: { type: 'string' }, wait: { type: 'string', default: '0' }, 'dry-run': { type: 'boolean' }, key: { type: 'string' }, json: { type: 'boolean' } },
    });
    const o = out(values.json ?? false);
    if (positionals.length !== 2) throw usage('backup needs <product> and <instance-id>, e.g. backup rds rm-uf6wjk5xxxxxxx');
    const waitSec = seconds(values.wait, '--wait');
    const target = targetFromWords(positionals[0], positionals[1], values.method, values.region);
    const key = idempotencyKey('cli', [values.key ?? randomUUID()], target);
    // The engine's deadline: the wait plus room for the request itself.
    const inv = startInvocation(cliContext(waitSec + 120), toStderr);
    if (values['dry-run']) {
      const plan = await planBackup(target, key, inv.deps);
      o.print(plan.summary, { dryRun: true, ...plan });
      return EXIT.ok;
    }
    // Recorded in the history: `status <job-id>`, the report and the tracker find it.
    const outcome = await requestBackup(target, key, { ...inv.deps, onJob: inv.history.recorder({ trigger: 'cli' }) });
    const what = `${target.product} ${instanceIdOf(target)}`;
    if (waitSec === 0) {
      o.print(`Backup of ${what} ${outcome.outcome}: job ${outcome.jobId ?? outcome.backupId} (key ${key})`, outcome);
      return EXIT.ok;
    }
    const progress = progressReporter(what, o.json);
    const status = await waitForJob(callerFor(target, inv.deps), outcome.instanceId, { jobId: outcome.jobId, backupId: outcome.backupId }, {
      deadline: createDeadline({ startedAt: Date.now(), timeoutSec: waitSec, safetyMarginMs: 0 }),
      pollMs: inv.config.pollMs,
      onProgress: progress.update,
    });
    // The end this command saw is recorded through the tracker's own path; the tracker alerts and runs retention. Its
    // log lines stay out of the progress lines.
    if (isFinal(status)) {
      const quiet = startInvocation(cliContext(60), { ...toStderr, env: { ...process.env, LOG_LEVEL: 'warn' } });
      await visit(key, followFor(quiet, cliContext(60))).catch(() => undefined);
    }
    progress.done(status);
    o.print(`Backup of ${what}: ${status.state}${status.backupId ? `, backup ${status.backupId}` : ''} (job ${outcome.jobId})`, { ...outcome, status });
    return stateExit(status);
  },
};
