// `fc-db-backup sign`: the deploy gate's signature headers for a body or a status read, for curl.
import { parseArgs } from 'node:util';
import { deployHeaders } from '../../shared/http/signatures/http-adapters';
import { readInput } from '../args';
import { out, usage, type Command } from '../command';
import { EXIT } from '../exit';
import { hookSecret } from '../secrets';

export const sign: Command = {
  name: 'sign',
  usage: `  fc-db-backup sign (--body FILE|- | --status-path /backups/ID) [--json]
      prints the signature headers, one "Name: value" per line (curl -H each; send the body with --data-binary);
      they are valid for 5 minutes, and the gate accepts a signed POST once`,
  async run(args) {
    const { values } = parseArgs({ args, options: { body: { type: 'string' }, 'status-path': { type: 'string' }, json: { type: 'boolean' } } });
    const o = out(values.json ?? false);
    let headers: Record<string, string>;
    if (values.body !== undefined) headers = { 'Content-Type': 'application/json', ...deployHeaders('POST', '/backups', readInput(values.body), hookSecret()) };
    else if (values['status-path'] !== undefined) headers = deployHeaders('GET', values['status-path'], '', hookSecret());
    else throw usage('sign needs --body FILE|- or --status-path /backups/ID');
    o.print(Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n'), headers);
    return EXIT.ok;
  },
};
