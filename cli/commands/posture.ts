// `fc-db-backup posture`: each database's own backup settings against POSTURE_RULES, read now with the operator's
// credentials; --fix prints the Modify…BackupPolicy calls that bring each failing one into line, and changes nothing;
// --apply makes exactly those calls, then reads the settings again. A fix never lowers a retention nor turns anything
// off (shared/posture/products/changes.ts). Functions never fix: no function role holds a Modify action.
import { parseArgs } from 'node:util';
import { startInvocation } from '../../shared/fc/invocation';
import { databaseId } from '../../shared/history/record';
import { assess, type Assessment, type Database } from '../../shared/posture/assess';
import { applyFix, describeCall, fixesFor, type Applied, type DatabaseFix } from '../../shared/posture/fix';
import { hasRules } from '../../shared/posture/rules';
import { coverage } from '../../shared/report/covered';
import { jsonArg } from '../args';
import { out, usage, type Command } from '../command';
import { cliContext, toStderr } from '../context';
import { EXIT } from '../exit';

export const posture: Command = {
  name: 'posture',
  usage: `  fc-db-backup posture [--fix] [--apply] [--targets JSON|@file] [--json]
      every database with a history or covered by the targets: its backup settings against POSTURE_RULES, read now;
      --fix: the Modify…BackupPolicy calls that would bring each failing one into line (nothing is changed);
      --apply: make exactly those calls with your credentials, then read again; exit 1 while a rule still fails`,
  async run(args) {
    const { values } = parseArgs({ args, options: { fix: { type: 'boolean' }, apply: { type: 'boolean' }, targets: { type: 'string' }, json: { type: 'boolean' } } });
    const o = out(values.json ?? false);
    const inv = startInvocation(cliContext(300), toStderr);
    if (!hasRules(inv.posture)) throw usage('posture needs POSTURE_RULES (a default rule set or selectors) to check against');
    const fromFlag = values.targets !== undefined;
    const { covered, warnings } = await coverage(fromFlag ? jsonArg(values.targets as string, '--targets') : inv.config.backupTargets, inv.deps, fromFlag ? '--targets' : 'BACKUP_TARGETS');
    const listed = new Map<string, Database>();
    for (const d of [...(await inv.history.databases()), ...covered]) listed.set(databaseId(d.product, d.instanceId), { product: d.product, instanceId: d.instanceId });
    const opts = { concurrency: inv.config.concurrency };
    const first = await assess([...listed.values()], inv.posture, inv.deps, opts);
    const fixes = values.fix || values.apply ? fixesFor(first.assessments) : [];
    let applied: { fix: DatabaseFix; done: Applied[] }[] = [];
    let after: Assessment[] | undefined;
    if (values.apply) {
      for (const fix of fixes) applied.push({ fix, done: await applyFix(fix, inv.deps) });
      applied = applied.filter((a) => a.done.length > 0);
      after = (await assess(first.assessments.map((a) => a.posture), inv.posture, inv.deps, opts)).assessments;
    }
    const final = after ?? first.assessments;
    const failing = final.filter((a) => a.posture.verdict === 'failing' || a.posture.verdict === 'unknown');
    const lines = [
      ...first.assessments.map((a) => {
        const bad = a.posture.rules.filter((r) => r.status === 'failing');
        const head = `${a.posture.verdict.toUpperCase().padEnd(14)} ${a.posture.product} ${a.posture.instanceId}`;
        return [head, ...bad.map((r) => `    ${r.rule}: expected ${r.expected}; is ${r.actual}`), ...(a.posture.error ? [`    ${a.posture.error.message}`] : [])].join('\n');
      }),
      ...(fixes.length > 0 ? ['', values.apply ? 'Calls made (your credentials):' : 'Calls that would fix it (nothing changed; --apply makes them):'] : []),
      ...fixes.flatMap((f) => [
        ...f.calls.map((c) => {
          const done = applied.find((a) => a.fix === f)?.done.find((d) => d.call === c);
          return `  ${describeCall(f.product, c)}${done ? (done.ok ? '   ✓ applied' : `   ✕ ${done.error?.code}: ${done.error?.message}`) : values.apply ? '   (not sent: an earlier call failed)' : ''}`;
        }),
        ...f.manual.map((m) => `  ${f.product} ${f.instanceId} ${m.rule}: by hand: ${m.why}`),
      ]),
      ...(after ? ['', `After: ${failing.length === 0 ? 'every database meets its rules' : `${failing.length} still failing: ${failing.map((a) => `${a.posture.product} ${a.posture.instanceId}`).join(', ')}`}`] : []),
      ...[...warnings, ...first.warnings].map((w) => `warning: ${w}`),
    ];
    o.print(lines.join('\n'), {
      databases: first.assessments.map((a) => a.posture),
      ...(values.fix || values.apply ? { fixes } : {}),
      ...(values.apply ? { applied: applied.flatMap((a) => a.done.map((d) => ({ product: a.fix.product, instanceId: a.fix.instanceId, action: d.call.action, query: d.call.query, ok: d.ok, ...(d.error ? { error: d.error } : {}) }))), after: final.map((a) => a.posture) } : {}),
      warnings: [...warnings, ...first.warnings],
    });
    return failing.length === 0 ? EXIT.ok : EXIT.failed;
  },
};
