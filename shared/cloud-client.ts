// The one way this project talks to the cloud: @alicloud/openapi-client's generic callApi, RPC style,
// ACS3-HMAC-SHA256 (the client's default signer). One client for three products keeps bundles small and
// lets the endpoint overrides reach the local cloud.
import { createHash } from 'node:crypto';
import * as OpenApi from '@alicloud/openapi-client';
import { RuntimeOptions } from '@alicloud/tea-util';
import { classifyCloudError } from './cloud-errors';
import { validationError } from './errors';
import type { Credentials } from './credentials';
import type { ProductCatalog, Query } from './products/catalog';

// The package is CommonJS with `exports.default = Client`: a bundler hands us the class, Node's ESM loader the
// whole exports object. Resolve once here so no other file cares.
const clientModule: unknown = (OpenApi as unknown as { default: unknown }).default;
const OpenApiClient = (typeof clientModule === 'function' ? clientModule : (clientModule as { default: unknown }).default) as new (
  config: OpenApi.Config,
) => {
  callApi(params: OpenApi.Params, request: OpenApi.OpenApiRequest, runtime: RuntimeOptions): Promise<{ body?: unknown; headers?: Record<string, string> }>;
};

export { OpenApi, RuntimeOptions };

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
const clients = new Map<string, InstanceType<typeof OpenApiClient>>();

export function clientFor(endpoint: Endpoint, c: Credentials): InstanceType<typeof OpenApiClient> {
  // Keyed by a digest of the whole key pair: a rotated secret must get a new client.
  const id = createHash('sha256').update(`${endpoint.protocol}://${endpoint.host}|${c.accessKeyId}|${c.accessKeySecret}|${c.securityToken ?? ''}`).digest('hex');
  let client = clients.get(id);
  if (!client) {
    client = new OpenApiClient(
      new OpenApi.Config({
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
  const params = new OpenApi.Params({
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
  const runtime = new RuntimeOptions({
    autoretry: false,
    connectTimeout: call.timeouts.connectMs,
    readTimeout: call.timeouts.readMs,
  });
  try {
    const res = await clientFor(call.endpoint, call.credentials).callApi(params, new OpenApi.OpenApiRequest({ query: call.query }), runtime);
    return (res.body ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw classifyCloudError(e, { action: `${call.catalog.name}:${call.action}`, limits: call.catalog.limits });
  }
}
