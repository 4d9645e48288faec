// The chat command language, the same on Slack and DingTalk:
//   backup <product> <instance-id> [method] | status <instance-id | job-id> | help
import { validationError, type BackupError } from '../../shared/errors';
import { productNames } from '../../shared/products/index';
import { parseTarget, type Target } from '../../shared/targets';

export type Command =
  | { name: 'help' }
  | { name: 'backup'; target: Target }
  | { name: 'status'; ref: string };

export const usage = [
  'Usage:',
  '  backup <product> <instance-id> [method]   take one backup now (product: rds, polardb, mongodb; method: Physical, Logical, Snapshot)',
  '  status <instance-id | job-id>              show the backup job in progress or its outcome',
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
      if (product === undefined || !productNames.includes(product.toLowerCase() as Target['product'])) {
        throw usageError('product', product, `must be one of ${productNames.join(', ')}`);
      }
      if (id === undefined) throw usageError('instance-id', undefined, 'is required');
      if (extra.length > 0) throw usageError('arguments', extra.join(' '), 'too many arguments');
      const p = product.toLowerCase() as Target['product'];
      if (p === 'polardb' && method !== undefined) throw usageError('method', method, 'PolarDB backups take no method');
      const target = p === 'polardb' ? { product: p, DBClusterId: id } : { product: p, DBInstanceId: id, ...(method ? { BackupMethod: method } : {}) };
      return { name: 'backup', target: parseTarget(target) };
    }
    case 'status': {
      const [ref, ...extra] = args;
      if (ref === undefined || extra.length > 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(ref)) {
        throw usageError('status', args.join(' ') || undefined, 'takes one instance id or job id');
      }
      return { name: 'status', ref };
    }
    default:
      throw usageError('command', verb, 'must be backup, status or help');
  }
}
