// The README's deployment tables and configuration reference kept in step with s.yaml and the code: every function
// s.yaml declares has a row in both tables (its role and what it needs), every variable s.yaml sets for a function
// is named in its row or the configuration reference, and every variable any function's code reads is in the
// configuration reference.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const doc = parse(readFileSync(join(root, 's.yaml'), 'utf8')) as { resources: Record<string, { component: string; props: Record<string, any> }> };
const fc3 = Object.entries(doc.resources).filter(([, r]) => r.component === 'fc3');

/** The rows of the README table whose header row starts with `| <first> |`. */
function tableRows(first: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  if (start < 0) throw new Error(`no README table headed "${first}"`);
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i]?.startsWith('|'); i++) rows.push(lines[i] as string);
  return rows;
}
const cell0 = (row: string) => row.split('|')[1]?.trim() ?? '';

const roleRows = tableRows('role');
const needRows = tableRows('function');
const configRows = tableRows('variable');
// Named in a row: as its variable, or in its text (NO_COLOR in LOG_FORMAT's), or as the `_SECRET` of `…_ID` / `_SECRET`.
const inConfig = (name: string) => configRows.some((r) => r.includes(`\`${name}\``) || (r.includes(`\`${name.replace(/_SECRET$/, '_ID')}\` / \`_SECRET\``)));

/** Every variable read as env.NAME / env['NAME'] in the source files reachable from an entry. */
function variablesRead(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [join(root, entry)];
  const names = new Set<string>();
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)\b|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]|\b(?:int|duration|whole|id|url|interval|ageFloor)\((?:env, )?'([A-Z][A-Z0-9_]+)'/g)) names.add((m[1] ?? m[2] ?? m[3]) as string);
    for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
      const next = join(file, '..', `${m[1]}.ts`);
      if (!seen.has(next)) todo.push(next);
    }
  }
  return names;
}

describe('README deployment tables', () => {
  it.each(fc3.map(([name, r]) => [name, r] as const))('%s has a row in "What each function needs" and its role in the role table', (name, r) => {
    expect(needRows.map(cell0), name).toContain(`\`${name}\``);
    const role = String(r.props.role).split(':role/')[1]?.replace('${vars.roleName}', 'fc-db-backup');
    expect(roleRows.map(cell0), name).toContain(`\`${role}\``);
  });

  it.each(fc3.map(([name, r]) => [name, r] as const))('every variable s.yaml sets for %s is in its row or the configuration reference', (name, r) => {
    const row = needRows.find((x) => cell0(x) === `\`${name}\``) ?? '';
    for (const v of Object.keys(r.props.environmentVariables ?? {})) expect(row.includes(v) || inConfig(v), `${name}: ${v}`).toBe(true);
  });

  it.each(readdirSync(join(root, 'functions')))('every variable the %s function\'s code reads is in the configuration reference', (name) => {
    const missing = [...variablesRead(`functions/${name}/index.ts`)].filter((v) => !inConfig(v));
    expect(missing, name).toEqual([]);
  });
});
