// The one request shape every HTTP handler sees, whatever FC's event looked like (fcHttpEvent builds it).

export interface HttpRequest {
  /** Upper case, e.g. "POST". */
  method: string;
  /** Decoded path (requestContext.http.path, else the decoded rawPath). */
  path: string;
  /** Lower-cased names; values as sent (multi-value headers joined by ","). Null prototype. */
  headers: Record<string, string>;
  /** queryParameters as sent (multi-value joined by ","). Null prototype. */
  query: Record<string, string>;
  /** The body bytes exactly as the client sent them (base64-decoded when FC encoded them). */
  rawBody: Buffer;
  requestId: string;
  sourceIp: string;
  /** Set by bodyParser(), replaced by validate() with the schema's output. */
  body?: unknown;
}
