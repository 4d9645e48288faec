// `node dist/local-cloud.js [--port 8787] [--job-duration-ms 20000]`: the local cloud on its own.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { startLocalCloud } from './server';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8787' }, 'job-duration-ms': { type: 'string', default: '20000' } } });
startLocalCloud({ port: Number(values.port), jobDurationMs: Number(values['job-duration-ms']), distDir: resolve(__dirname) }).then((cloud) => {
  console.log(`local cloud on ${cloud.url}`);
  for (const c of cloud.credentials) console.log(`  key ${c.accessKeyId} / ${c.accessKeySecret}${c.securityToken ? ` (STS token ${c.securityToken})` : ''}`);
  process.on('SIGINT', () => void cloud.close().then(() => process.exit(0)));
});
