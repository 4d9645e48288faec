// The dispatcher's table against cli/commands/: a command file not in the table (or in it twice, or under another
// name) would be a command nobody can run or whose --help lies. The commands' behaviour is test/e2e/cli.test.ts's.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../cli/command';
import { commands } from '../../../cli/main';

const dir = join(__dirname, '..', '..', '..', 'cli', 'commands');

describe('cli dispatcher', () => {
  it('lists every file of cli/commands/ once, under the name the file has, with a usage that names it', async () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
    const listed = commands.map((c) => c.name);
    for (const file of files) {
      expect(listed, `cli/commands/${file}.ts is not in the commands table of cli/main.ts (add one line there)`).toContain(file);
      const exported = Object.values((await import(join(dir, `${file}.ts`))) as Record<string, Command>);
      expect(exported.map((c) => c.name), `cli/commands/${file}.ts must export the command named "${file}"`).toEqual([file]);
      expect(commands, `cli/main.ts lists a different object as "${file}" than cli/commands/${file}.ts exports`).toContain(exported[0]);
    }
    expect([...listed].sort(), 'every command in the table has its own file, once').toEqual(files);
    for (const c of commands) expect(c.usage, c.name).toMatch(new RegExp(`^ {2}fc-db-backup ${c.name}( |$)`));
  });
});
