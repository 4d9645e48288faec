// How a CLI command runs the engine in this process: an FC-like context of its own, and the engine's log lines on
// stderr so stdout stays the result (--json parses): readable on a terminal, JSON otherwise or with LOG_FORMAT=json.
import { randomUUID } from 'node:crypto';
import { logFormatFor } from '../shared/config';
import type { FcContext } from '../shared/fc/events';

export const toStderr = { sink: (line: string) => void process.stderr.write(`${line}\n`), log: logFormatFor(process.stderr) };

export const cliContext = (timeoutSec: number): FcContext => ({
  requestId: `cli-${randomUUID()}`,
  region: process.env.ALIBABA_CLOUD_REGION,
  credentials: null,
  function: { name: 'fc-db-backup-cli', timeout: timeoutSec },
});
