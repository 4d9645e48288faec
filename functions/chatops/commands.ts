// The chat command language, the same on Slack and DingTalk:
//   backup <product> <instance-id> [method] | drill <product> <instance-id> | status <instance-id | job-id> | report | help
import { toBackupError, validationError, type BackupError, type FieldIssue } from '../../shared/errors';
import { targetFromWords, type Target } from '../../shared/backup/targets';
import type { ProductName } from '../../shared/cloud/products/catalog';
import { parseRunEvent } from '../../shared/drill/run-event';

export type Command =
  | { name: 'help' }
  | { name: 'backup'; target: Target }
  /** A restore drill now, of a database the drill configuration covers: it names the database and nothing else. */
  | { name: 'drill'; run: { product: ProductName; instanceId: string } }
  | { name: 'status'; ref: string }
  | { name: 'report' };

export const usage = [
  'Usage:',
  '  backup <product> <instance-id> [method]   take one backup now (product: rds, polardb, mongodb; method: Physical, Logical, Snapshot)',
  '  drill <product> <instance-id>             restore drill now: a backup restored to a temporary instance, checked and released (databases the drill configuration covers)',
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
    case 'drill': {
      const [product, instanceId, ...extra] = args;
      if (product === undefined || instanceId === undefined) throw usageError('drill', args.join(' ') || undefined, 'takes <product> and <instance-id>');
      // No method, class or size: the drill configuration says how, never the chat message.
      if (extra.length > 0) throw usageError('arguments', extra.join(' '), 'too many arguments: drill takes only <product> and <instance-id>');
      const run = { product: product.toLowerCase(), instanceId };
      try {
        // The same rules restore-drill applies to the event (shared/drill/run-event.ts), checked here to answer at once.
        parseRunEvent({ run, trigger: 'chat' });
      } catch (e) {
        const issue = (toBackupError(e).details.issues as FieldIssue[] | undefined)?.[0];
        throw issue ? usageError(issue.field.replace(/^run\./, ''), issue.value, issue.rule) : e;
      }
      return { name: 'drill', run: run as { product: ProductName; instanceId: string } };
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
      throw usageError('command', verb, 'must be backup, status, report, drill or help');
  }
}
