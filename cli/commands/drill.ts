// `fc-db-backup drill`: a restore drill now, run by the deployed restore-drill function (synchronous invoke), for a
// database its drill configuration covers, with that configuration. The function decides: this command only names
// the database, so an operator's laptop cannot drill anything the deployment would not, nor change how.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { resolveCredentials } from '../../shared/cloud/credentials';
import type { ProductName } from '../../shared/cloud/products/catalog';
import type { RunEvent } from '../../shared/drill/run-event';
import { BackupError, type ErrorCategory } from '../../shared/errors';
import { createInvoker } from '../../shared/fc/invoker';
import { seconds } from '../args';
import { out, usage, type Command } from '../command';
import { EXIT } from '../exit';

/** The name s.yaml deploys restore-drill under. */
const deployedName = 'fc-db-backup-restore-drill';

export const drill: Command = {
  name: 'drill',
  usage: `  fc-db-backup drill <product> <instance-id> [--dry-run] [--function F] [--timeout S] [--json]
      a restore drill now, by the deployed restore-drill function, of a database its DRILL_TARGETS covers (others are
      refused), with its configuration; the drill is followed to its end by the tracker, like a timer's
      --dry-run    what it would create, from which backup, for how long; creates nothing
      --function F the restore-drill function (default $DRILL_FUNCTION, else ${deployedName})
      --timeout S  how long to wait for the function's answer (default 120)
      needs FC_ACCOUNT_ID (the account the function runs in) and ALIBABA_CLOUD_REGION; FC_ENDPOINT overrides the endpoint`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean' }, function: { type: 'string' }, timeout: { type: 'string', default: '120' }, json: { type: 'boolean' } },
    });
    const o = out(values.json ?? false);
    if (positionals.length !== 2) throw usage('drill needs <product> and <instance-id>, e.g. drill rds rm-uf6wjk5xxxxxxx');
    const timeoutSec = seconds(values.timeout, '--timeout');
    const env = process.env;
    const accountId = env.FC_ACCOUNT_ID;
    const region = env.ALIBABA_CLOUD_REGION;
    if (!accountId || !region) {
      throw new BackupError({ code: 'MissingConfiguration', category: 'internal', message: 'drill invokes the deployed restore-drill function: set FC_ACCOUNT_ID (your Alibaba Cloud account id) and ALIBABA_CLOUD_REGION.' });
    }
    const functionName = values.function ?? (env.DRILL_FUNCTION || deployedName);
    // The product and id are checked by restore-drill (shared/drill/run-event.ts): one rule, applied where it counts.
    const event: RunEvent = {
      run: { product: positionals[0]?.toLowerCase() as ProductName, instanceId: positionals[1] as string },
      trigger: 'cli',
      requestedBy: operator(),
      ...(values['dry-run'] ? { dryRun: true } : {}),
    };
    const invoker = createInvoker({ accountId, region, credentials: resolveCredentials({ env }), endpoint: env.FC_ENDPOINT || undefined, timeoutMs: 10_000 });
    const res = await invoker.invokeSync({ functionName, payload: event, timeoutMs: timeoutSec * 1000 });
    const answer = parsed(res.body);
    if (res.errorType) {
      // restore-drill throws only what is worth retrying (a throttle, the store); it answers a refusal with ok: false.
      throw new BackupError({ code: 'DrillFunctionFailed', category: 'transient', retryable: true, message: `${functionName} failed (${res.errorType}): ${String(answer?.errorMessage ?? res.body).slice(0, 500)}` });
    }
    if (answer?.ok !== true) throw refusalOf(answer, functionName);
    o.print(String(answer.text ?? JSON.stringify(answer)), answer);
    return EXIT.ok;
  },
};

/** Who asked, for the drill's record: the OS user running the command. */
function operator(): string {
  try {
    return `cli:${userInfo().username}`.slice(0, 200);
  } catch {
    return `cli:${process.env.USER || 'unknown'}`.slice(0, 200);
  }
}

function parsed(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** restore-drill's `{ok: false, error}` as the error it was, so main prints its message and exits by its category. */
function refusalOf(answer: Record<string, unknown> | undefined, functionName: string): BackupError {
  const e = answer?.error as { code?: unknown; category?: unknown; message?: unknown; retryable?: unknown; details?: unknown } | undefined;
  if (!e || typeof e.message !== 'string') {
    return new BackupError({ code: 'DrillFunctionFailed', category: 'internal', message: `${functionName} gave no drill answer: ${JSON.stringify(answer ?? null).slice(0, 500)}` });
  }
  return new BackupError({
    code: typeof e.code === 'string' ? e.code : 'DrillRefused',
    category: (typeof e.category === 'string' ? e.category : 'validation') as ErrorCategory,
    message: e.message,
    retryable: e.retryable === true,
    ...(e.details && typeof e.details === 'object' ? { details: e.details as Record<string, unknown> } : {}),
  });
}
