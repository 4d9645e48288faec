// zod schemas at the edge: every problem of the body (and query) reported at once as `field: value — rule`.
// On success the body/query are replaced by the schema's output (defaults and transforms applied).
import { safeParseAsync, type core } from 'zod/mini';
import { validationError, type FieldIssue } from '../../errors';
import { fieldRuleErrors, zodIssuesToFieldIssues } from '../../validation';
import { isHttpRequest } from './fc-http-event';
import type { HttpMiddleware, HttpMiddyRequest } from './response';

export interface ValidateOptions {
  /** Applied to `event.body` (set by bodyParser). */
  schema?: core.$ZodType;
  /** Applied to `event.query`; its issues are reported as `query.<name>`. */
  querySchema?: core.$ZodType;
  /** Names the thing in the message: "Invalid <what>: ..."; default 'request'. */
  what?: string;
}

const defaults = { what: 'request' };

async function issuesOf(schema: core.$ZodType, input: unknown, prefix: string): Promise<{ issues: FieldIssue[]; data?: unknown }> {
  const result = await safeParseAsync(schema, input, { error: fieldRuleErrors });
  if (result.success) return { issues: [], data: result.data };
  const issues = zodIssuesToFieldIssues(result.error, input);
  return { issues: prefix ? issues.map((i) => ({ ...i, field: i.field ? `${prefix}.${i.field}` : prefix })) : issues };
}

export function validate(opts: ValidateOptions): HttpMiddleware {
  const { schema, querySchema, what } = { ...defaults, ...opts };
  if (!schema && !querySchema) throw new TypeError('validate: give a schema (body) and/or a querySchema');

  const validateBefore = async (request: HttpMiddyRequest) => {
    if (!isHttpRequest(request.event)) throw new TypeError('validate needs fcHttpEvent() before it');
    const event = request.event;
    const body = schema ? await issuesOf(schema, event.body, '') : undefined;
    const query = querySchema ? await issuesOf(querySchema, event.query, 'query') : undefined;
    const issues = [...(body?.issues ?? []), ...(query?.issues ?? [])];
    if (issues.length > 0) throw validationError(issues, what);
    if (body) event.body = body.data;
    if (query) event.query = query.data as Record<string, string>;
  };

  return { before: validateBefore };
}
