// Progress while waiting on a long job: a redrawn bar on a terminal, one plain line per change otherwise
// (CI logs), nothing in --json mode (stdout is for the JSON document; progress goes to stderr).
import type { BackupStatus } from '../shared/backup/status';

export function progressReporter(what: string, quiet: boolean, stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let last = '';
  const line = (s: BackupStatus) => `${what}: ${s.state}${s.progress === null ? '' : ` ${s.progress}%`}`;
  return {
    update(s: BackupStatus) {
      if (quiet) return;
      if (tty) {
        const pct = s.progress ?? 0;
        const filled = Math.round(pct / 5);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${String(pct).padStart(3)}% ${what} ${s.state}   `);
      } else if (line(s) !== last) {
        stream.write(`${line(s)}\n`);
      }
      last = line(s);
    },
    done(s: BackupStatus) {
      if (quiet) return;
      if (tty) stream.write('\n');
      else if (line(s) !== last) stream.write(`${line(s)}\n`);
    },
  };
}
