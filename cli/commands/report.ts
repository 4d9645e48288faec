// `fc-db-backup report`: the morning report's arguments and exit code; cli/report.ts builds and renders it.
import { parseArgs } from 'node:util';
import { parseDuration } from '../../shared/config';
import { startInvocation } from '../../shared/fc/invocation';
import { jsonArg } from '../args';
import { out, usage, type Command } from '../command';
import { cliContext, toStderr } from '../context';
import { EXIT } from '../exit';
import { runReport } from '../report';
import { hasRules } from '../../shared/posture/rules';

export const report: Command = {
  name: 'report',
  usage: `  fc-db-backup report [--max-age 26h] [--targets JSON|@file] [--posture] [--max-restore-age 8d] [--json]
      every database with a history or covered by the targets (BACKUP_TARGETS, or --targets): last good backup,
      age, size, successes in a row, last failure; exit 1 when one has no good backup within --max-age
      POSTURE: its own backup settings against POSTURE_RULES (read now); --posture: exit 1 also when one breaks a rule
      LAST RESTORE TESTED, RECOVERY TIME: its newest restore drill that got a ready instance or a verdict;
      --max-restore-age: exit 1 also when a database DRILL_TARGETS covers has no passing drill within it (or never)`,
  async run(args) {
    const { values } = parseArgs({ args, options: { 'max-age': { type: 'string' }, targets: { type: 'string' }, posture: { type: 'boolean' }, 'max-restore-age': { type: 'string' }, json: { type: 'boolean' } } });
    const o = out(values.json ?? false);
    const maxAgeMs = values['max-age'] === undefined ? undefined : parseDuration(values['max-age']);
    if (values['max-age'] !== undefined && maxAgeMs === undefined) throw usage(`--max-age must be a duration like 26h, 90m or 2d (got "${values['max-age']}")`);
    const maxRestoreAgeMs = values['max-restore-age'] === undefined ? undefined : parseDuration(values['max-restore-age']);
    if (values['max-restore-age'] !== undefined && maxRestoreAgeMs === undefined) throw usage(`--max-restore-age must be a duration like 8d, 26h or 90m (got "${values['max-restore-age']}")`);
    // Like --posture: a gate over no database must not pass.
    if (maxRestoreAgeMs !== undefined && !process.env.DRILL_TARGETS) throw usage('--max-restore-age needs DRILL_TARGETS (the databases the restore drills cover) to check');
    const targets = values.targets === undefined ? undefined : jsonArg(values.targets, '--targets');
    const inv = startInvocation(cliContext(120), toStderr);
    // A gate that checks nothing must not pass: --posture without rules is a usage error.
    if (values.posture && !hasRules(inv.posture)) throw usage('--posture needs POSTURE_RULES (a default rule set or selectors) to check against');
    const colour = !o.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
    const { report: r, text } = await runReport(inv, { maxAgeMs: maxAgeMs ?? inv.config.reportMaxAgeMs, maxRestoreAgeMs, targets, colour });
    o.print(text, r);
    return r.ok && (!values.posture || r.postureOk === true) && (maxRestoreAgeMs === undefined || r.restoreOk === true) ? EXIT.ok : EXIT.failed;
  },
};
