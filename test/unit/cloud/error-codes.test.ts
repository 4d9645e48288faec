// Every error code of the seed documents and the common gateway codes, produced by a real HTTP server and read by
// the real @alicloud/openapi-client, must come out of the one table with the right category and retry flag.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCloud } from '../../../shared/cloud/client';
import { knownCloudCodes } from '../../../shared/cloud/error-codes';
import { BackupError } from '../../../shared/errors';
import { products } from '../../../shared/cloud/products/registry';

// [code, HTTP status as documented, expected category, retryable]
const documented: [string, number, string, boolean][] = [
  // rds-createbackup-errors.txt
  ['BackupType.NotSupport', 400, 'validation', false],
  ['InvalidBackupMethod.ValueNotSupport', 400, 'validation', false],
  ['ReadDBInstanceNotSupport', 400, 'validation', false],
  ['IncorrectDBInstanceLockMode.ValueNotSupported', 400, 'conflict', false],
  ['BackupJobExists', 400, 'conflict', false],
  ['InvalidPreferredBackupTime.Format', 400, 'validation', false],
  ['InvalidDBName.Format', 400, 'validation', false],
  ['OperationDenied.ApiForbidden', 403, 'permission', false],
  ['IncorrectDBInstanceEngine', 403, 'validation', false],
  ['IncorrectDBInstanceType', 403, 'validation', false],
  ['IncorrectDBInstanceState', 403, 'conflict', true],
  ['IncorrectDBInstanceCharacterType', 403, 'validation', false],
  ['Exceeded.BackupTimes', 403, 'quota', false],
  ['InvalidDBInstanceName.NotFound', 404, 'not-found', false],
  ['InvalidDB.NotFound', 404, 'not-found', false],
  // polardb-createbackup.txt
  ['InvalidBackupType.Malformed', 400, 'validation', false],
  ['InvalidBackupMode.Malformed', 400, 'validation', false],
  ['InvalidBackupMethod.Malformed', 400, 'validation', false],
  ['BackupTimesExceeded', 403, 'quota', false],
  ['InvalidDBClusterId.NotFound', 404, 'not-found', false],
  ['InvalidDBClusterId.Malformed', 404, 'validation', false],
  // mongodb-createbackup.txt
  ['OperationDenied.BackupJobExists', 403, 'conflict', false],
  ['OperationDenied.NoDatabase', 403, 'validation', false],
  // DeleteBackup (docs/retention-apis.md)
  ['InvalidBackupSetID.NotFound', 400, 'not-found', false],
  ['IncorrectBackupSetState', 403, 'conflict', false],
  ['DeleteBackupSetNumExceed', 400, 'validation', false],
  ['ParameterLeastAssociate', 400, 'validation', false],
  ['UnsupportedOperation', 400, 'validation', false],
  ['Order.ComboInstanceNotAllowOperate', 400, 'permission', false],
  // common gateway codes (alibaba-api-facts.md §3); statuses vary by product, classification must not.
  ['Throttling', 400, 'throttled', true],
  ['Throttling.User', 400, 'throttled', true],
  ['Throttling.Api', 400, 'throttled', true],
  ['ServiceUnavailable', 503, 'transient', true],
  ['InternalError', 500, 'transient', true],
  ['SignatureDoesNotMatch', 400, 'auth', false],
  ['SignatureDoesNotMatch', 403, 'auth', false],
  ['InvalidAccessKeyId.NotFound', 404, 'auth', false],
  ['InvalidAccessKeyId.NotFound', 400, 'auth', false],
  ['IncompleteSignature', 400, 'auth', false],
  ['IllegalTimestamp', 400, 'auth', false],
  ['Forbidden.RAM', 403, 'permission', false],
  ['MissingParameter', 400, 'validation', false],
  ['InvalidParameter', 400, 'validation', false],
  ['IdempotentParameterMismatch', 400, 'conflict', false],
];

let server: Server;
let port: number;
let next: { status: number; body: string; contentType: string; destroy?: boolean } = { status: 200, body: '{}', contentType: 'application/json' };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (next.destroy) return req.socket.destroy();
      res.writeHead(next.status, { 'content-type': next.contentType });
      res.end(next.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const call = (catalog = products.rds) =>
  callCloud({
    catalog,
    endpoint: { protocol: 'http', host: `127.0.0.1:${port}` },
    credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
    action: 'CreateBackup',
    query: { DBInstanceId: 'rm-1' },
    timeouts: { connectMs: 1000, readMs: 1000 },
  });

async function failure(): Promise<BackupError> {
  const e = await call().then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BackupError);
  return e as BackupError;
}

describe('cloud error table', () => {
  it.each(documented)('%s (HTTP %i) → %s, retryable=%s', async (code, status, category, retryable) => {
    expect(knownCloudCodes).toContain(code);
    next = { status, contentType: 'application/json', body: JSON.stringify({ Code: code, Message: `msg for ${code}`, RequestId: 'REQ-1' }) };
    const e = await failure();
    expect(e.code).toBe(code);
    expect(e.category).toBe(category);
    expect(e.retryable).toBe(retryable);
    expect(e.message).toContain(code);
    expect(e.details.requestId).toBe('REQ-1');
  });

  it('names the limit for quota and running-job errors', async () => {
    next = { status: 403, contentType: 'application/json', body: JSON.stringify({ Code: 'Exceeded.BackupTimes', Message: 'The backup times exceeds.' }) };
    expect((await failure()).message).toMatch(/20 backup sets per instance per day.*cloud said: Exceeded\.BackupTimes: The backup times exceeds\./);
    next = { status: 400, contentType: 'application/json', body: JSON.stringify({ Code: 'BackupJobExists', Message: 'exists' }) };
    expect((await failure()).message).toMatch(/one backup job per instance/);
  });

  it('PolarDB quota: states the 3-at-a-time limit and quotes the cloud\'s "daily" words, explaining they mean the same', async () => {
    next = {
      status: 403,
      contentType: 'application/json',
      body: JSON.stringify({ Code: 'BackupTimesExceeded', Message: 'Exceeding the daily backup times of this DB cluster.' }),
    };
    const e = await callCloud({
      catalog: products.polardb,
      endpoint: { protocol: 'http', host: `127.0.0.1:${port}` },
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
      action: 'CreateBackup',
      query: { DBClusterId: 'pc-1' },
      timeouts: { connectMs: 1000, readMs: 1000 },
    }).catch((x: unknown) => x as BackupError);
    expect(e.category).toBe('quota');
    expect(e.message).toMatch(/3 manual backups per cluster at a time/);
    expect(e.message).toMatch(/"daily backup times".*means 3 manual backups exist now/);
    expect(e.message).toMatch(/cloud said: BackupTimesExceeded: Exceeding the daily backup times of this DB cluster\./);
  });

  it('never repeats the credentials a gateway echoes back in its string to sign', async () => {
    const echoed = 'Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAI-echoed%26SecurityToken%3Dsts-token-echoed%26Action%3DCreateBackup';
    next = { status: 400, contentType: 'application/json', body: JSON.stringify({ Code: 'SignatureDoesNotMatch', Message: echoed, RequestId: 'REQ-2' }) };
    const e = await failure();
    expect(e.category).toBe('auth');
    expect(JSON.stringify(e.toJSON())).not.toMatch(/LTAI-echoed|sts-token-echoed/);
    expect(e.message).not.toMatch(/LTAI-echoed|sts-token-echoed/);
  });

  it('treats 5xx as ambiguous and 4xx as a definite refusal', async () => {
    next = { status: 503, contentType: 'application/json', body: JSON.stringify({ Code: 'ServiceUnavailable' }) };
    expect((await failure()).ambiguous).toBe(true);
    next = { status: 400, contentType: 'application/json', body: JSON.stringify({ Code: 'Throttling.User' }) };
    expect((await failure()).ambiguous).toBe(false);
  });

  it('classifies an unknown code by its status, and a non-JSON 502 as ambiguous transient', async () => {
    next = { status: 404, contentType: 'application/json', body: JSON.stringify({ Code: 'Something.New' }) };
    expect((await failure()).category).toBe('not-found');
    next = { status: 502, contentType: 'text/html', body: '<html>bad gateway</html>' };
    const e = await failure();
    expect(e.category).toBe('transient');
    expect(e.retryable).toBe(true);
    expect(e.ambiguous).toBe(true);
  });

  it('a reset connection is ambiguous; a refused connection was never sent', async () => {
    next = { status: 200, contentType: 'application/json', body: '{}', destroy: true };
    const reset = await failure();
    expect(reset.ambiguous).toBe(true);
    expect(reset.retryable).toBe(true);
    const refused = await callCloud({
      catalog: products.rds,
      endpoint: { protocol: 'http', host: '127.0.0.1:1' },
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
      action: 'CreateBackup',
      query: {},
      timeouts: { connectMs: 1000, readMs: 1000 },
    }).catch((x: BackupError) => x);
    expect(refused).toBeInstanceOf(BackupError);
    expect((refused as BackupError).code).toBe('Network.ECONNREFUSED');
    expect((refused as BackupError).ambiguous).toBe(false);
  });
});
