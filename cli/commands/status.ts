// `fc-db-backup status`: what the history knows of an instance, job, backup, deploy or key.
import { parseArgs } from 'node:util';
import { startInvocation } from '../../shared/fc/invocation';
import { findStatus, statusLine } from '../../shared/history/lookup';
import { out, usage, type Command } from '../command';
import { cliContext, toStderr } from '../context';
import { EXIT } from '../exit';

export const status: Command = {
  name: 'status',
  usage: `  fc-db-backup status <instance-id | job-id | backup-id | deploy-id | key> [--region R] [--json]`,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { region: { type: 'string' }, json: { type: 'boolean' } } });
    const o = out(values.json ?? false);
    if (!positionals[0]) throw usage('status needs an instance id or a job id');
    const inv = startInvocation(cliContext(60), toStderr);
    const views = await findStatus(positionals[0], inv.history, inv.deps, values.region);
    o.print(views.map(statusLine).join('\n'), views.length === 1 ? views[0] : views);
    return EXIT.ok;
  },
};
