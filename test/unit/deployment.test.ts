// s.yaml: every fc3 resource's props are valid against the fc3 component's schema (test/fixtures, copied from
// ../shared/reference/fc3-props.schema.json), every function has a bundle, and the RAM policy names exactly the
// actions the code can call.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { products } from '../../shared/cloud/products/registry';
import { postureCatalogs } from '../../shared/posture/products/registry';
import { restoreCatalogOf } from '../../shared/drill/products/registry';

const root = join(__dirname, '..', '..');
const raw = readFileSync(join(root, 's.yaml'), 'utf8');
const doc = parse(raw) as { vars: Record<string, string>; resources: Record<string, { component: string; props: Record<string, any> }> };

/** What Serverless Devs does to ${vars.x}, ${env('X')} and ${config('AccountID')} before the component sees props. */
function render(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/\$\{vars\.(\w+)\}/g, (_m, k: string) => String(render(doc.vars[k]) ?? ''))
      .replace(/\$\{env\('(\w+)'\)\}/g, 'from-env')
      .replace(/\$\{config\('AccountID'\)\}/g, '1234567890');
  }
  if (Array.isArray(value)) return value.map(render);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
  return value;
}

const fc3 = Object.entries(doc.resources).filter(([, r]) => r.component === 'fc3');

describe('s.yaml', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'fc3-props.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  it.each(fc3.map(([name, r]) => [name, r] as const))('%s props are valid fc3 props', (_name, r) => {
    const ok = validate(render(r.props));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check bites: an unknown runtime and a missing functionName are refused', () => {
    const [, first] = fc3[0] as [string, { props: Record<string, unknown> }];
    expect(validate({ ...(render(first.props) as object), runtime: 'nodejs99' })).toBe(false);
    const { functionName: _omit, ...rest } = render(first.props) as Record<string, unknown>;
    expect(validate(rest)).toBe(false);
  });

  it('declares every function under functions/, on nodejs20, with code from its own bundle', () => {
    const functions = readdirSync(join(root, 'functions'));
    expect(fc3.map(([name]) => name).sort()).toEqual(functions.sort());
    for (const [name, r] of fc3) {
      expect(r.props.runtime).toBe('nodejs20');
      expect(r.props.code).toBe(`./dist/${name}`);
      expect(r.props.handler).toBe('index.handler');
    }
  });

  it('the timer trigger has a 6-field cron and a JSON payload; HTTP triggers verify signatures in code', () => {
    const timer = fc3.flatMap(([, r]) => (r.props.triggers ?? []) as any[]).find((t) => t.triggerType === 'timer');
    expect(timer.triggerConfig.cronExpression.replace(/^CRON_TZ=\S+\s+/, '').split(/\s+/)).toHaveLength(6);
    expect(() => JSON.parse(timer.triggerConfig.payload)).not.toThrow();
  });

  it('every function keeps its logs; the worker sends a task FC gave up on to the tracker, which runs every minute', () => {
    for (const [name, r] of fc3) expect(r.props.logConfig, name).toBe('auto');
    const props = (n: string) => (fc3.find(([name]) => name === n)?.[1] as { props: Record<string, any> }).props;
    expect(props('backup-worker').asyncInvokeConfig.destinationConfig.onFailure.destination).toMatch(new RegExp(`:functions/${props('backup-tracker').functionName}$`));
    const sweep = (props('backup-tracker').triggers as any[]).find((t) => t.triggerType === 'timer');
    expect(sweep.triggerConfig.cronExpression.replace(/^CRON_TZ=\S+\s+/, '')).toBe('0 * * * * *');
    expect(props('backup-tracker').environmentVariables.TRACKER_FUNCTION).toBe(props('backup-tracker').functionName);
    expect(props('backup-tracker').environmentVariables.WORKER_FUNCTION).toBe(props('backup-worker').functionName);
  });

  it('every function that sends alerts itself has the NOTIFY_* variables (one without them leaves its alerts to the tracker)', () => {
    const envOf = (n: string) => (fc3.find(([name]) => name === n)?.[1] as { props: Record<string, any> }).props.environmentVariables;
    for (const name of ['scheduled-backup', 'backup-worker', 'backup-tracker']) {
      for (const v of ['NOTIFY_DINGTALK_WEBHOOK_URL', 'NOTIFY_DINGTALK_SECRET', 'NOTIFY_SLACK_WEBHOOK_URL']) expect(envOf(name)[v], `${name} ${v}`).toBe(`\${env('${v}')}`);
    }
  });

  // What each function is for, and so may do (product actions are granted for every product). A change that makes a
  // function call something new must change this table, s.yaml and the README together.
  // `DeleteBackup(slots)`: only for products that hold so many manual backups at a time (PolarDB): whatever creates a
  // backup may have to free a slot first; the rest of retention runs in the tracker.
  const expectedRoles: Record<string, { product: string[]; invokes: string[] }> = {
    'scheduled-backup': { product: ['CreateBackup', 'DescribeBackupTasks', 'DescribeBackups', 'list', 'DeleteBackup(slots)'], invokes: ['fc-db-backup-worker'] },
    'deploy-hook': { product: ['CreateBackup', 'DescribeBackupTasks', 'DescribeBackups', 'list', 'DeleteBackup(slots)'], invokes: [] },
    // `drill` hands a drill now to restore-drill: chat creates and releases nothing itself.
    chatops: { product: ['DescribeBackupTasks', 'DescribeBackups', 'list'], invokes: ['fc-db-backup-worker', 'fc-db-backup-restore-drill'] },
    'backup-worker': { product: ['CreateBackup', 'DescribeBackupTasks', 'DescribeBackups', 'DeleteBackup(slots)'], invokes: [] },
    // `posture`: the products' backup-policy reads (drift, and the restore-point watch's retention), never a Modify.
    'backup-tracker': { product: ['DescribeBackupTasks', 'DescribeBackups', 'list', 'DeleteBackup', 'posture'], invokes: ['fc-db-backup-worker', 'fc-db-backup-tracker', 'fc-db-backup-restore-drill'] },
    // `restore`: each restore catalog's ramActions (shared/drill/products/), the only create and release grants; it
    // invokes the operator's own validator, named by DRILL_VALIDATOR_FUNCTION.
    'restore-drill': { product: ['list', 'restore'], invokes: ['from-env'] },
    // Reads the history in the store only (test/e2e/dashboard.test.ts: no request reaches the cloud).
    dashboard: { product: [], invokes: [] },
  };
  const ramOf = (roleArn: string) => {
    const name = String(render(roleArn)).split(':role/')[1];
    const role = Object.values(doc.resources).find((r) => r.component === 'ram' && render(r.props.name) === name);
    if (!role) throw new Error(`no ram resource named ${name}`);
    const statements = (role.props.policies as { statement: { Action: string[]; Resource: string | string[] }[] }[]).flatMap((p) => p.statement);
    const actions = statements.flatMap((st) => st.Action);
    const invokes = statements.filter((st) => st.Action.includes('fc:InvokeFunction')).flatMap((st) => [st.Resource].flat().map((r) => String(render(r)).replace(/^.*:functions\//, '').replace(/\*$/, '')));
    return { actions, invokes };
  };
  const grantsFor = (spec: { product: string[]; invokes: string[] }) =>
    Object.values(products)
      .flatMap((c) =>
        spec.product.flatMap((a) =>
          a === 'DeleteBackup(slots)'
            ? c.retention.manualSlots
              ? [`${c.ramService}:DeleteBackup`]
              : []
            : a === 'posture'
              ? postureCatalogs[c.name].describeActions.map((x) => `${c.ramService}:${x}`)
              : a === 'restore'
                ? [...restoreCatalogOf(c.name).ramActions]
              : // Where the backup calls depend on the instance (MongoDB), the attribute read goes with them.
                [`${c.ramService}:${a === 'list' ? c.listAction : a}`, ...(a === 'DescribeBackups' && c.instance ? [`${c.ramService}:${c.instance.action}`] : [])],
        ),
      )
      .filter((a, i, all) => all.indexOf(a) === i)
      .concat(spec.invokes.length ? ['fc:InvokeFunction'] : []);

  it.each(Object.keys(expectedRoles))('%s has its own role with exactly what it calls', (name) => {
    const fn = fc3.find(([n]) => n === name)?.[1];
    expect(fn, name).toBeDefined();
    const { actions, invokes } = ramOf(fn?.props.role as string);
    const spec = expectedRoles[name] as { product: string[]; invokes: string[] };
    expect([...actions].sort()).toEqual(grantsFor(spec).sort());
    expect([...invokes].sort()).toEqual([...spec.invokes].sort());
  });

  it('the dashboard role carries no policy at all, and the dashboard invokes nothing', () => {
    const fn = fc3.find(([n]) => n === 'dashboard')?.[1];
    const name = String(render(fn?.props.role)).split(':role/')[1];
    const role = Object.values(doc.resources).find((r) => r.component === 'ram' && render(r.props.name) === name);
    expect(role?.props.policies).toEqual([]);
    expect(reachable('functions/dashboard/index.ts')).not.toMatch(/worker-dispatch|fc\/invoker/);
  });

  it('no two functions share a role; chatops creates and deletes nothing', () => {
    const roles = fc3.map(([, r]) => r.props.role as string);
    expect(new Set(roles).size).toBe(roles.length);
    expect(Object.keys(expectedRoles).sort()).toEqual(fc3.map(([n]) => n).sort());
    const chat = ramOf(fc3.find(([n]) => n === 'chatops')?.[1].props.role as string).actions;
    expect(chat.filter((a) => /:(CreateBackup|DeleteBackup)$/.test(a))).toEqual([]);
  });

  // The source files reachable from a function's entry (its imports, followed), so a grant can be checked against
  // what that function's code can reach at all.
  const reachable = (entry: string): string => {
    const seen = new Set<string>();
    const todo = [join(root, entry)];
    while (todo.length > 0) {
      const file = todo.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const next = join(file, '..', `${m[1]}.ts`);
        if (!seen.has(next)) todo.push(next);
      }
    }
    return [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
  };
  const actionsIn = (source: string) => new Set([...source.matchAll(/\.(?:once|read)\(\s*'([A-Za-z]+)'/g)].map((m) => m[1] as string));

  it.each(Object.keys(expectedRoles))("%s is granted nothing its code cannot reach", (name) => {
    const source = reachable(`functions/${name}/index.ts`);
    const spec = expectedRoles[name] as { product: string[]; invokes: string[] };
    const can = actionsIn(source);
    for (const a of spec.product) {
      if (a === 'list') expect(source, `${name} lists instances`).toMatch(/listAction/);
      else if (a === 'restore') expect(source, `${name} restores and releases`).toMatch(/catalog\.create\.action[\s\S]*catalog\.release\.action/);
      else if (a === 'posture') expect(source, `${name} reads backup policies`).toMatch(/postureOf\(/);
      else expect(can, `${name} calls ${a}`).toContain(a.replace('(slots)', ''));
    }
    if (spec.invokes.length > 0) expect(source, `${name} invokes a function`).toMatch(/worker-dispatch|fc\/invoker/);
  });

  it('together, the roles name exactly the actions the code can call, nothing missing, nothing extra', () => {
    const granted = new Set(fc3.flatMap(([, r]) => ramOf(r.props.role as string).actions));
    // Every action name passed to the engine's one cloud caller, for every product the catalog serves...
    const source = ['shared', 'functions', 'cli']
      .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name)))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const productActions = actionsIn(source);
    const backupActions = ['CreateBackup', 'DescribeBackupTasks', 'DescribeBackups', 'DeleteBackup'];
    // Posture's reads (shared/posture/products/): the tracker's drift check, and the CLI with the operator's credentials.
    expect(productActions).toEqual(new Set([...backupActions, ...Object.values(postureCatalogs).flatMap((c) => c.describeActions)]));
    const called = new Set(
      Object.values(products).flatMap((c) => [
        ...[...backupActions, c.listAction, ...postureCatalogs[c.name].describeActions, ...(c.instance ? [c.instance.action] : [])].map((a) => `${c.ramService}:${a}`),
        ...restoreCatalogOf(c.name).ramActions,
      ]),
    );
    // The restore catalogs' ramActions are exactly the actions they name.
    for (const c of Object.values(products)) {
      const r = restoreCatalogOf(c.name);
      const named = [r.source, r.create, r.describe, r.listByTag, r.release, r.tagAfterCreate, r.readTags, r.endpoint].flatMap((x) => (x ? [`${c.ramService}:${x.action}`] : []));
      expect([...new Set(named)].sort(), c.name).toEqual([...r.ramActions].sort());
    }
    // ...and the invoker's one FC action.
    expect(source).toMatch(/action: 'InvokeFunction'/);
    called.add('fc:InvokeFunction');

    expect([...granted].sort()).toEqual([...called].sort());
  });

  const statementsOf = (d: typeof doc) =>
    Object.values(d.resources)
      .filter((r) => r.component === 'ram')
      .flatMap((r) => (r.props.policies as { statement: { Action: string[]; Resource: string | string[] }[] }[]).flatMap((p) => p.statement))
      .map((st) => ({ actions: st.Action, resources: [st.Resource].flat().map((x) => String(render(x))) }));

  // Issue 16: "fc-db-backup-worker*" also named any function whose name starts so (fc-db-backup-worker-x).
  it('fc:InvokeFunction names the exact ARN of a function s.yaml declares: no wildcard', () => {
    const declared = new Set(fc3.map(([, r]) => `acs:fc:${render(r.props.region)}:1234567890:functions/${r.props.functionName}`));
    // The one function s.yaml does not declare: the operator's drill validator, named by DRILL_VALIDATOR_FUNCTION.
    declared.add('acs:fc:cn-hangzhou:1234567890:functions/from-env');
    const invoking = statementsOf(doc).filter((st) => st.actions.includes('fc:InvokeFunction'));
    expect(invoking.length).toBeGreaterThan(0);
    for (const st of invoking) {
      expect(st.actions).toEqual(['fc:InvokeFunction']);
      for (const arn of st.resources) {
        expect(arn).not.toContain('*');
        expect(declared, arn).toContain(arn);
      }
    }
    expect(invoking.flatMap((st) => st.resources)).toContain('acs:fc:cn-hangzhou:1234567890:functions/fc-db-backup-worker');
  });

  // RAM cannot scope DeleteBackup to this tool's backups, only to instances (docs/ram.md): deletions get their own
  // statements, whose Resource is vars.deletableInstances — '*' by default, the fleet's ARNs when it is fixed.
  const deletions = (d: typeof doc) => statementsOf(d).filter((st) => st.actions.some((a) => a.endsWith(':DeleteBackup')));

  it('by default the DeleteBackup actions keep their scope (*), each in a statement of its own', () => {
    const dels = deletions(doc);
    expect(dels.map((st) => st.actions).flat().sort()).toEqual(['dds:DeleteBackup', 'polardb:DeleteBackup', 'polardb:DeleteBackup', 'polardb:DeleteBackup', 'polardb:DeleteBackup', 'rds:DeleteBackup'].sort());
    for (const st of dels) {
      expect(st.actions.every((a) => a.endsWith(':DeleteBackup'))).toBe(true);
      expect(st.resources).toEqual(['*']);
    }
  });

  it('listing the fleet in vars.deletableInstances scopes every DeleteBackup to those ARNs and nothing else', () => {
    const arns = ['acs:rds:cn-hangzhou:1234567890:dbinstance/rm-orders1', 'acs:polardb:cn-hangzhou:1234567890:dbcluster/pc-orders1', 'acs:dds:cn-hangzhou:1234567890:dbinstance/dds-orders1'];
    const edited = parseDocument(raw);
    const list = edited.getIn(['vars', 'deletableInstances'], true) as { items: unknown[] };
    list.items = arns.map((a) => edited.createNode(a));
    const fixed = edited.toJS() as typeof doc;
    const dels = deletions(fixed);
    expect(dels.length).toBe(deletions(doc).length);
    for (const st of dels) expect(st.resources).toEqual(arns);
    // Nothing else narrows or widens: every other statement reads as before.
    const others = (d: typeof doc) => statementsOf(d).filter((st) => !st.actions.some((a) => a.endsWith(':DeleteBackup')));
    expect(others(fixed)).toEqual(others(doc));
    // And the functions' props (fc3 schema) are untouched.
    for (const [name, r] of Object.entries(fixed.resources).filter(([, r]) => r.component === 'fc3')) expect(validate(render(r.props)), name).toBe(true);
  });

  // Fixing a database's backup settings is the operator's act, with their own credentials (fc-db-backup posture --fix
  // --apply): no function may change a backup policy, and none can reach the code that does.
  it('no function role holds a Modify…BackupPolicy action, and no function reaches the code that applies a fix', () => {
    const modify = Object.entries(postureCatalogs).flatMap(([p, c]) => c.modifyActions.map((a) => `${products[p as keyof typeof products].ramService}:${a}`));
    expect(modify.length).toBeGreaterThan(0);
    for (const [name, r] of fc3) {
      const { actions } = ramOf(r.props.role as string);
      expect(actions.filter((a) => modify.includes(a) || /:Modify/.test(a)), name).toEqual([]);
      expect(reachable(`functions/${name}/index.ts`), name).not.toMatch(/from '[^']*posture\/(apply|fix)'/);
    }
  });
});

describe('the network', () => {
  it('every function shares one vpcConfig, from the deploying shell (FC_VPC_ID, FC_VSWITCH_ID, FC_SECURITY_GROUP_ID)', () => {
    const raw = readFileSync(join(root, 's.yaml'), 'utf8');
    const d = parse(raw) as { vars: Record<string, unknown>; resources: Record<string, { component: string; props: Record<string, unknown> }> };
    const fns = Object.values(d.resources).filter((r) => r.component === 'fc3');
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns) expect(f.props.vpcConfig).toEqual({ vpcId: "${env('FC_VPC_ID')}", vSwitchIds: ["${env('FC_VSWITCH_ID')}"], securityGroupId: "${env('FC_SECURITY_GROUP_ID')}" });
    // One anchor, not seven copies: a change of network is one edit.
    expect(raw.match(/vpcConfig: \*vpc/g)).toHaveLength(fns.length);
  });
});
