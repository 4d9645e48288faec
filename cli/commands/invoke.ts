// `fc-db-backup invoke`: runs a built function bundle here as FC's Node.js runtime would, with an event.
import { parseArgs } from 'node:util';
import { invokeBundle } from '../../local/fc-runtime';
import { readInput, seconds } from '../args';
import { usage, type Command } from '../command';
import { EXIT } from '../exit';

export const invoke: Command = {
  name: 'invoke',
  usage: `  fc-db-backup invoke <function> [--event FILE|-] [--timeout S]`,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { event: { type: 'string' }, timeout: { type: 'string', default: '60' } } });
    const name = positionals[0];
    if (!name) throw usage('invoke needs a function name (scheduled-backup, deploy-hook, chatops, backup-worker)');
    const event = values.event ? readInput(values.event) : Buffer.from('{}');
    const id = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
    const secret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    const timeoutSec = seconds(values.timeout, '--timeout');
    // The function logs to stdout, as FC collects it; here its log goes to stderr and stdout is the result alone.
    const write = process.stdout.write;
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    let result: unknown;
    try {
      result = await invokeBundle(name, event, {
        // Bundled into dist/cli.js, this is dist/: the bundles sit beside it.
        distDir: __dirname,
        region: process.env.ALIBABA_CLOUD_REGION,
        timeoutSec,
        credentials: id && secret ? { accessKeyId: id, accessKeySecret: secret, securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN } : undefined,
      });
    } finally {
      process.stdout.write = write;
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return (result as { ok?: unknown } | null)?.ok === false ? EXIT.failed : EXIT.ok;
  },
};
