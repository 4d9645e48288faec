// The one way this project talks to the cloud: @alicloud/openapi-client's generic callApi, RPC style,
// ACS3-HMAC-SHA256 (the client's default signer). One client for three products keeps bundles small and
// lets the endpoint overrides reach the local cloud.
import { createHash } from 'node:crypto';
import type * as OpenApiTypes from '@alicloud/openapi-client';
import { classifyCloudError } from './error-codes';
import { validationError } from '../errors';
import type { Credentials } from './credentials';
import type { ProductCatalog, Query } from './products/catalog';

export interface SdkClient {
  callApi(params: unknown, request: unknown, runtime: unknown): Promise<{ body?: unknown; headers?: Record<string, string> }>;
}

type Ctor<T = unknown> = new (map: Record<string, unknown>) => T;

export interface Sdk {
  Client: new (config: unknown) => SdkClient;
  Config: Ctor<OpenApiTypes.Config>;
  Params: Ctor<OpenApiTypes.Params>;
  OpenApiRequest: Ctor<OpenApiTypes.OpenApiRequest>;
  RuntimeOptions: Ctor;
}

let sdk: Promise<Sdk> | undefined;

/**
 * The SDK — and with it Node's https/tls and the credentials chain — is loaded on the first call, not at cold start:
 * a request refused at the edge (401, 400) never pays for it.
 */
export function loadSdk(): Promise<Sdk> {
  sdk ??= Promise.all([import('@alicloud/openapi-client'), import('@alicloud/tea-util')]).then(([api, util]) => {
    // CommonJS packages: a bundler hands us the exports as the namespace, Node's ESM loader puts them under `default`.
    const a = namespace(api);
    const u = namespace(util);
    const client = typeof a.default === 'function' ? a.default : (a.default as Record<string, unknown>).default;
    return {
      Client: client as Sdk['Client'],
      Config: a.Config as Sdk['Config'],
      Params: a.Params as Sdk['Params'],
      OpenApiRequest: a.OpenApiRequest as Sdk['OpenApiRequest'],
      RuntimeOptions: u.RuntimeOptions as Sdk['RuntimeOptions'],
    };
  });
  sdk.catch(() => (sdk = undefined));
  return sdk;
}

function namespace(ns: unknown): Record<string, unknown> {
  const m = ns as Record<string, unknown>;
  if (typeof m.Config === 'function' || typeof m.RuntimeOptions === 'function') return m;
  return { ...(m.default as Record<string, unknown>), default: m.default };
}

export interface Endpoint {
  protocol: 'http' | 'https';
  /** host[:port], sent verbatim as the Host header. */
  host: string;
}

export interface Timeouts {
  connectMs: number;
  readMs: number;
}

/**
 * An override is a full URL (`http://127.0.0.1:8787`): protocol, host and port are all honoured; no scheme means
 * https. `setting` names the variable in the error a bad value gets.
 */
export function parseEndpoint(override: string, setting: string): Endpoint {
  let url: URL | undefined;
  try {
    url = new URL(override.includes('://') ? override : `https://${override}`);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
    throw validationError([{ field: setting, value: override, rule: 'must be an http:// or https:// URL such as http://127.0.0.1:8787' }], 'endpoint');
  }
  return { protocol: url.protocol === 'http:' ? 'http' : 'https', host: url.host };
}

export function resolveEndpoint(catalog: ProductCatalog, region: string, override: string | undefined): Endpoint {
  return override ? parseEndpoint(override, catalog.endpointEnv) : { protocol: 'https', host: catalog.defaultEndpoint(region) };
}

export interface CloudCall {
  catalog: ProductCatalog;
  endpoint: Endpoint;
  credentials: Credentials;
  action: string;
  query: Query;
  timeouts: Timeouts;
}

// A client per endpoint and key pair: its agent keeps connections alive across calls of one warm instance.
const clients = new Map<string, SdkClient>();

export function clientFor(sdk: Sdk, endpoint: Endpoint, c: Credentials): SdkClient {
  // Keyed by a digest of the whole key pair: a rotated secret must get a new client.
  const id = createHash('sha256').update(`${endpoint.protocol}://${endpoint.host}|${c.accessKeyId}|${c.accessKeySecret}|${c.securityToken ?? ''}`).digest('hex');
  let client = clients.get(id);
  if (!client) {
    client = new sdk.Client(
      new sdk.Config({
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        securityToken: c.securityToken,
        endpoint: endpoint.host,
        protocol: endpoint.protocol,
      }),
    );
    // STS credentials rotate; drop stale clients rather than grow without bound.
    if (clients.size > 32) clients.clear();
    clients.set(id, client);
  }
  return client;
}

/** One API call, once: the engine owns retries (the library's autoretry is a no-op in 0.4.x). */
export async function callCloud(call: CloudCall): Promise<Record<string, unknown>> {
  const sdk = await loadSdk();
  const params = new sdk.Params({
    action: call.action,
    version: call.catalog.apiVersion,
    protocol: call.endpoint.protocol.toUpperCase(),
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const runtime = new sdk.RuntimeOptions({
    autoretry: false,
    connectTimeout: call.timeouts.connectMs,
    readTimeout: call.timeouts.readMs,
  });
  const pending = clientFor(sdk, call.endpoint, call.credentials).callApi(params, new sdk.OpenApiRequest({ query: call.query }), runtime);
  // Once the guard has answered, the library's own late failure has no one to tell.
  pending.catch(() => undefined);
  let guard: NodeJS.Timeout | undefined;
  try {
    const late = new Promise<never>((_, reject) => {
      guard = setTimeout(() => reject(readTimeout(call.timeouts.readMs)), call.timeouts.readMs + GUARD_SLACK_MS);
    });
    const res = await Promise.race([pending, late]);
    return (res.body ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw classifyCloudError(e, { action: `${call.catalog.name}:${call.action}`, limits: call.catalog.limits });
  } finally {
    clearTimeout(guard);
  }
}

// httpx's read timer does not fire on a kept-alive socket whose previous request used the same read timeout
// (test/unit/cloud/client.test.ts): the answer then waits for Node's socket timeout (the connect timeout, and
// reported as one) or for the server. Our own timer keeps the read timeout, counted from the call's start.
const GUARD_SLACK_MS = 100;
const readTimeout = (ms: number) => Object.assign(new Error(`ReadTimeout(${ms}): no answer within the read timeout.`), { name: 'RequestTimeoutError' });
