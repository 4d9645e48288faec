// The drill's verdict on a restored instance. With DRILL_VALIDATOR_FUNCTION, that FC function is invoked (Sync)
// with where the instance is and what it should hold — never a secret: the validator brings its own credentials —
// and answers {"passed": boolean, "message": string}. Without one, the built-in check: the instance is Running with
// the source's engine, version and at least its storage.
import type { SyncInvokeRequest, SyncInvokeResult } from '../fc/invoker';
import type { DrillRecord } from './record';
import type { DrillInstanceView, SourceSpec } from './restore-catalog';

export interface Verdict {
  passed: boolean;
  message: string;
}

export interface Validator {
  validate(r: DrillRecord, instance: DrillInstanceView): Promise<Verdict>;
}

/** The event a validator function receives. */
export interface ValidatorEvent {
  drillId: string;
  product: DrillRecord['product'];
  sourceId: string;
  backupId: string;
  instanceId: string;
  endpoint?: { host: string; port: number };
  engine?: string;
  engineVersion?: string;
  /** The databases the backup holds, where the history knows them. */
  databases: string[];
}

export function builtInCheck(source: SourceSpec, view: DrillInstanceView): Verdict {
  const wrong: string[] = [];
  if (view.state !== 'running') wrong.push(`state ${view.status}, not Running`);
  if (source.engine && view.engine !== undefined && view.engine !== source.engine) wrong.push(`engine ${view.engine}, not ${source.engine}`);
  if (source.engineVersion && view.engineVersion !== undefined && view.engineVersion !== source.engineVersion) wrong.push(`version ${view.engineVersion}, not ${source.engineVersion}`);
  if (source.storageGb !== undefined && view.storageGb !== undefined && view.storageGb < source.storageGb) wrong.push(`storage ${view.storageGb} GB, less than the source's ${source.storageGb} GB`);
  if (wrong.length > 0) return { passed: false, message: `Built-in check: ${wrong.join('; ')}.` };
  return { passed: true, message: `Built-in check: Running, ${view.engine ?? source.engine} ${view.engineVersion ?? source.engineVersion}${view.storageGb !== undefined ? `, ${view.storageGb} GB` : ''}.` };
}

const MESSAGE_MAX = 500;

export function functionValidator(o: { invoke: (r: SyncInvokeRequest) => Promise<SyncInvokeResult>; functionName: string; timeoutMs: number; databases?: (r: DrillRecord) => string[] }): Validator {
  return {
    async validate(r, view) {
      const event: ValidatorEvent = {
        drillId: r.drillId,
        product: r.product,
        sourceId: r.sourceId,
        backupId: r.backupId,
        instanceId: view.instanceId,
        ...(view.endpoint ? { endpoint: view.endpoint } : {}),
        engine: view.engine,
        engineVersion: view.engineVersion,
        databases: o.databases?.(r) ?? [],
      };
      const res = await o.invoke({ functionName: o.functionName, payload: event, timeoutMs: o.timeoutMs });
      if (res.errorType) return { passed: false, message: `Validator ${o.functionName} failed (${res.errorType}): ${res.body.slice(0, MESSAGE_MAX)}` };
      let answer: unknown;
      try {
        answer = JSON.parse(res.body);
      } catch {
        answer = undefined;
      }
      const a = answer as { passed?: unknown; message?: unknown } | undefined;
      if (!a || typeof a.passed !== 'boolean') {
        return { passed: false, message: `Validator ${o.functionName} answered ${res.body.slice(0, 200)}, not {"passed": boolean, "message": string}.` };
      }
      return { passed: a.passed, message: typeof a.message === 'string' ? a.message.slice(0, MESSAGE_MAX) : '' };
    },
  };
}
