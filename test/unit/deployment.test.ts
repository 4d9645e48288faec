// s.yaml: every fc3 resource's props are valid against the fc3 component's schema (test/fixtures, copied from
// ../shared/reference/fc3-props.schema.json), every function has a bundle, and the RAM policy names exactly the
// actions the code can call.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { products } from '../../shared/cloud/products/registry';

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

  it('the RAM policy names exactly the actions the code can call, nothing missing, nothing extra', () => {
    const role = Object.values(doc.resources).find((r) => r.component === 'ram') as unknown as { props: { policies: { statement: { Action: string[] }[] }[] } };
    const granted = new Set(role.props.policies.flatMap((p) => p.statement.flatMap((s) => s.Action)));

    // Every action name passed to the engine's one cloud caller, for every product the catalog serves...
    const source = ['shared', 'functions', 'cli']
      .flatMap((dir) => readdirSync(join(root, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name)))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    const productActions = new Set([...source.matchAll(/\.(?:once|read)\(\s*'([A-Za-z]+)'/g)].map((m) => m[1] as string));
    expect(productActions).toEqual(new Set(['CreateBackup', 'DescribeBackupTasks', 'DescribeBackups', 'DeleteBackup']));
    const called = new Set(
      Object.values(products).flatMap((c) => [...productActions, c.listAction].map((a) => `${c.ramService}:${a}`)),
    );
    // ...and the invoker's one FC action.
    expect(source).toMatch(/action: 'InvokeFunction'/);
    called.add('fc:InvokeFunction');

    expect([...granted].sort()).toEqual([...called].sort());
  });
});
