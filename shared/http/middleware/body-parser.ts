// The raw body → `event.body`, by Content-Type: JSON or form-encoded, UTF-8 only. Runs after the signature check,
// which needs the bytes as sent. Refusals are BackupErrors (415, 400) for errorMapper to render.
import { BackupError } from '../../errors';
import { exceedsJsonDepth, maxJsonDepth } from '../../input/json-depth';
import { isHttpRequest } from './fc-http-event';
import type { HttpMiddleware, HttpMiddyRequest } from './response';

export type BodyMediaType = 'application/json' | 'application/x-www-form-urlencoded';

export interface BodyParserOptions {
  /** Accepted media types; default both. */
  allowed?: readonly BodyMediaType[];
}

const parsers: Record<BodyMediaType, (text: string) => unknown> = {
  'application/json': parseJson,
  'application/x-www-form-urlencoded': parseForm,
};

const defaults: Required<BodyParserOptions> = { allowed: ['application/json', 'application/x-www-form-urlencoded'] };

export const unsupportedMediaType = (got: string | undefined, allowed: readonly string[]): BackupError =>
  new BackupError({
    code: 'UnsupportedMediaType',
    category: 'validation',
    httpStatus: 415,
    message: `${got === undefined ? 'No Content-Type was sent' : `Content-Type ${JSON.stringify(got)} is not accepted`}; send ${allowed.join(' or ')} (UTF-8).`,
    details: { contentType: got ?? null, allowed: [...allowed] },
  });

const badBody = (message: string): BackupError => new BackupError({ code: 'MalformedBody', category: 'validation', message });

/** `{type, charset}` of a Content-Type value, lower-cased; undefined when absent or empty. */
export function mediaTypeOf(contentType: string | undefined): { type: string; charset?: string } | undefined {
  if (contentType === undefined) return undefined;
  const [type = '', ...params] = contentType.split(';');
  const t = type.trim().toLowerCase();
  if (t === '') return undefined;
  let charset: string | undefined;
  for (const p of params) {
    const [k, v] = p.split('=');
    if (k?.trim().toLowerCase() === 'charset' && v !== undefined) charset = v.trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return { type: t, ...(charset === undefined ? {} : { charset }) };
}

/** Pure: the parsed body for these bytes and Content-Type, or a BackupError (415 / 400) thrown. */
export function parseBody(rawBody: Buffer, contentType: string | undefined, allowed: readonly BodyMediaType[] = defaults.allowed): unknown {
  const media = mediaTypeOf(contentType);
  if (!media || !(allowed as readonly string[]).includes(media.type) || (media.charset !== undefined && !['utf-8', 'utf8'].includes(media.charset))) {
    throw unsupportedMediaType(contentType, allowed);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
  } catch {
    throw badBody('The request body is not valid UTF-8.');
  }
  return parsers[media.type as BodyMediaType](text);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw badBody('The request body is empty; a JSON document was expected.');
  if (exceedsJsonDepth(text)) throw badBody(`The request body nests arrays or objects more than ${maxJsonDepth} levels deep; refused before parsing.`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badBody(`The request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Repeated names become arrays; `Object.fromEntries` keeps a "__proto__" field an ordinary own property. */
function parseForm(text: string): Record<string, string | string[]> {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(text)) {
    const list = grouped.get(k);
    if (list) list.push(v);
    else grouped.set(k, [v]);
  }
  return Object.fromEntries([...grouped].map(([k, vs]) => [k, vs.length === 1 ? (vs[0] as string) : vs]));
}

export function bodyParser(opts: BodyParserOptions = {}): HttpMiddleware {
  const { allowed } = { ...defaults, ...opts };
  if (!Array.isArray(allowed) || allowed.length === 0 || allowed.some((t) => !Object.hasOwn(parsers, t))) {
    throw new TypeError(`bodyParser: allowed must list some of ${Object.keys(parsers).join(', ')}`);
  }

  const bodyParserBefore = (request: HttpMiddyRequest) => {
    if (!isHttpRequest(request.event)) throw new TypeError('bodyParser needs fcHttpEvent() before it');
    request.event.body = parseBody(request.event.rawBody, request.event.headers['content-type'], allowed);
  };

  return { before: bodyParserBefore };
}
