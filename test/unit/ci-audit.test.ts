// .ci/audit as CI runs it (a real bash and node), with `npm` on PATH replaced by a stand-in that prints what the
// registry would have answered: a report with advisories, a clean one, or the error of a registry without the endpoint.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const bin = mkdtempSync(join(tmpdir(), 'fcdb-audit-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

async function audit(answer: unknown, exitCode: number) {
  const npm = join(bin, 'npm');
  writeFileSync(npm, `#!/usr/bin/env bash\n[ "$1 $2 $3" = "audit --omit=dev --json" ] || exit 99\ncat <<'JSON'\n${JSON.stringify(answer)}\nJSON\nexit ${exitCode}\n`);
  chmodSync(npm, 0o755);
  try {
    const r = await promisify(execFile)(join(root, '.ci', 'audit'), [], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: err.stdout };
  }
}

const report = (v: Record<string, number>) => ({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, ...v } } });

describe('.ci/audit', () => {
  it('fails CI on a high or critical advisory in a runtime dependency', async () => {
    const r = await audit(report({ high: 1 }), 1);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/0 critical, 1 high, 0 moderate, 0 low/);
    expect((await audit(report({ critical: 2 }), 1)).code).toBe(1);
  });

  it('passes with only moderate or low advisories, printing them', async () => {
    const r = await audit(report({ moderate: 3, low: 1 }), 1);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 critical, 0 high, 3 moderate, 1 low/);
  });

  it('skips with a message, never failing, when the registry has no audit endpoint or there is no network', async () => {
    const r = await audit({ message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 }, 1);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/npm audit skipped: the registry audit endpoint did not answer \(405 Method Not Allowed/);
    const offline = await audit('not json at all', 1);
    expect(offline.code).toBe(0);
    expect(offline.out).toMatch(/skipped/);
  });
});
