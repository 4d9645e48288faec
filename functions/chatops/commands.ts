// The chat command language, the same on Slack and DingTalk:
//   backup <product> <instance-id> [method] | status <instance-id | job-id> | report | help
import { toBackupError, validationError, type BackupError, type FieldIssue } from '../../shared/errors';
import { targetFromWords, type Target } from '../../shared/backup/targets';

export type Command =
  | { name: 'help' }
  | { name: 'backup'; target: Target }
  | { name: 'status'; ref: string }
  | { name: 'report' };

export const usage = [
  'Usage:',
  '  backup <product> <instance-id> [method]   take one backup now (product: rds, polardb, mongodb; method: Physical, Logical, Snapshot)',
  '  status <instance-id | job-id>              show the backup job in progress or its outcome',
  '  report                                     which databases lack a good backup (the morning report; with a dashboard link if your rule allows "dashboard")',
  '  help                                       this message',
  'Example: backup rds rm-uf6wjk5xxxxxxx Physical',
].join('\n');

const usageError = (field: string, value: unknown, rule: string): BackupError =>
  validationError([{ field, value, rule: `${rule}\n${usage}` }], 'command');

export function parseCommand(text: string): Command {
  // DingTalk puts the robot's @mention before the text; Slack sends only the text.
  const words = text.trim().split(/\s+/).filter((w) => w !== '' && !w.startsWith('@'));
  const [verb, ...args] = words;
  if (verb === undefined || /^(help|-h|--help|\?)$/i.test(verb)) return { name: 'help' };
  switch (verb.toLowerCase()) {
    case 'backup': {
      const [product, id, method, ...extra] = args;
      if (extra.length > 0) throw usageError('arguments', extra.join(' '), 'too many arguments');
      try {
        return { name: 'backup', target: targetFromWords(product, id, method) };
      } catch (e) {
        const issue = (toBackupError(e).details.issues as FieldIssue[] | undefined)?.[0];
        throw issue ? usageError(issue.field, issue.value, issue.rule) : e;
      }
    }
    case 'status': {
      const [ref, ...extra] = args;
      if (ref === undefined || extra.length > 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(ref)) {
        throw usageError('status', args.join(' ') || undefined, 'takes one instance id or job id');
      }
      return { name: 'status', ref };
    }
    case 'report':
      if (args.length > 0) throw usageError('arguments', args.join(' '), 'report takes no arguments');
      return { name: 'report' };
    default:
      throw usageError('command', verb, 'must be backup, status, report or help');
  }
}
