// The oracle of the contract tests: an API's request and response fields as a tree of wire names, from the official
// SDK models (their static names() and types(): names() maps each property to the name on the wire) or, for the
// products whose current models are not on npm, from field lists drawn from those models' sources
// (polardb-fields.ts, mongodb-fields.ts). And what the catalogs do with it: the parameters a query sends, and the
// response paths a parser reads, recorded while it reads a real answer of the local cloud.

/** A field's type on the wire: a scalar, a nested object, or an array of one. */
export type Field = 'string' | 'number' | 'boolean' | 'any' | 'map' | 'stream' | Tree | { items: Field };
export interface Tree {
  [wire: string]: Field;
}

interface ModelClass {
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}

const isModel = (t: unknown): t is ModelClass => typeof t === 'function' && typeof (t as Partial<ModelClass>).names === 'function';

function fieldOf(t: unknown): Field {
  if (isModel(t)) return modelTree(t);
  if (t !== null && typeof t === 'object') {
    const o = t as { type?: string; itemType?: unknown };
    if (o.type === 'array') return { items: fieldOf(o.itemType) };
    if (o.type === 'map') return 'map';
  }
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'any') return t;
  if (t === 'Readable') return 'stream';
  throw new Error(`unknown model type ${JSON.stringify(t)}`);
}

/** The wire tree of an SDK model class (`DescribeBackupsResponseBody`). */
export function modelTree(cls: ModelClass): Tree {
  const names = cls.names();
  const types = cls.types();
  return Object.fromEntries(Object.entries(names).map(([prop, wire]) => [wire, fieldOf(types[prop])]));
}

// Wire names begin with a capital (or are headers), so a lone lower-case `items` is always an array's item type.
const isItems = (f: Field | undefined): f is { items: Field } => f !== undefined && typeof f === 'object' && 'items' in f && Object.keys(f).length === 1;
const isTree = (f: Field | undefined): f is Tree => f !== undefined && typeof f === 'object' && !isItems(f);
const arrayDepth = (seg: string) => (seg.match(/(\[\])+$/)?.[0].length ?? 0) / 2;

/**
 * The parameters of a flat RPC query the request model does not have. `Tag.1.Key` is the Key of the first item of
 * the array Tag, `ResourceId.1` the first item of the array ResourceId (how the SDK flattens them).
 */
export function unknownParams(query: Record<string, string>, request: Tree): string[] {
  return Object.keys(query).filter((name) => {
    let at: Field | undefined = request;
    for (const seg of name.split('.')) {
      if (at === undefined) return true;
      if (/^\d+$/.test(seg)) {
        if (!isItems(at)) return true;
        at = at.items;
      } else {
        if (!isTree(at)) return true;
        at = (at as Tree)[seg];
      }
    }
    return at === undefined;
  });
}

/** Paths like `Items.Backup[].BackupId` the response model does not have. */
export function unknownPaths(paths: Iterable<string>, response: Tree): string[] {
  return [...paths].filter((p) => fieldAt(response, p) === undefined);
}

export function fieldAt(tree: Tree, path: string): Field | undefined {
  let at: Field | undefined = tree;
  for (const seg of path.split('.')) {
    const key = seg.replace(/\[\]$/, '');
    if (!isTree(at)) return undefined;
    at = (at as Tree)[key];
    for (let n = arrayDepth(seg); n > 0; n--) {
      if (!isItems(at)) return undefined;
      at = at.items;
    }
  }
  return at;
}

// Keys a parser never reads as fields: a JSON.stringify, an await, a prototype look-up.
const notFields = new Set(['toJSON', 'then', 'constructor', '__proto__', 'valueOf', 'toString', 'hasOwnProperty']);

/**
 * The answer, wrapped so that every field a parser reads is recorded by its path, whether the answer has it or not
 * (a field read but absent is the finding: it exists in no answer). Array items are `[]`.
 */
export function recordReads<T extends object>(body: T): { body: T; paths: Set<string> } {
  const paths = new Set<string>();
  const wrap = (value: unknown, at: string): unknown => {
    if (value === null || typeof value !== 'object') return value;
    return new Proxy(value as object, {
      get(target, key, receiver) {
        const v: unknown = Reflect.get(target, key, receiver);
        if (typeof key === 'symbol' || notFields.has(key)) return v;
        if (Array.isArray(target)) return /^\d+$/.test(key) ? wrap(v, `${at}[]`) : v;
        const p = at === '' ? key : `${at}.${key}`;
        paths.add(p);
        return wrap(v, p);
      },
    });
  };
  return { body: wrap(body, '') as T, paths };
}

/** Every value at a path of a plain answer (arrays flattened), for comparing an answer before and after the SDK cast. */
export function valuesAt(obj: unknown, path: string): unknown[] {
  let at: unknown[] = [obj];
  for (const seg of path.split('.')) {
    const key = seg.replace(/\[\]$/, '');
    at = at.flatMap((o) => (o !== null && typeof o === 'object' && key in o ? [(o as Record<string, unknown>)[key]] : []));
    for (let n = arrayDepth(seg); n > 0; n--) at = at.flatMap((o) => (Array.isArray(o) ? o : []));
  }
  return at.filter((v) => v !== undefined);
}

/**
 * What the SDK's deserialisation would lose or refuse of an answer: fields the model does not have (the SDK drops
 * them) and values of another type than the model's (the SDK's cast throws; a number where a string is declared is
 * converted, so it is accepted). For field lists without an SDK to cast with; with one, cast with it as well.
 */
export function castIssues(body: unknown, tree: Tree, at = ''): string[] {
  if (body === null || typeof body !== 'object') return [`${at || '(body)'}: not an object`];
  return Object.entries(body as Record<string, unknown>).flatMap(([key, value]) => {
    const p = at === '' ? key : `${at}.${key}`;
    const f = tree[key];
    if (key === 'RequestId' && f === undefined) return [];
    if (f === undefined) return [`${p}: not in the model (dropped)`];
    return valueIssues(value, f, p);
  });
}

function valueIssues(value: unknown, f: Field, p: string): string[] {
  if (value === null || value === undefined) return [];
  if (f === 'any' || f === 'map' || f === 'stream') return [];
  if (f === 'string') return typeof value === 'string' || typeof value === 'number' ? [] : [`${p}: ${typeof value}, the model says string`];
  if (f === 'number') return typeof value === 'number' ? [] : [`${p}: ${typeof value} ${JSON.stringify(value)}, the model says number`];
  if (f === 'boolean') return typeof value === 'boolean' ? [] : [`${p}: ${typeof value} ${JSON.stringify(value)}, the model says boolean`];
  if (isItems(f)) return Array.isArray(value) ? value.flatMap((v) => valueIssues(v, f.items, `${p}[]`)) : [`${p}: not an array, the model says array`];
  return castIssues(value, f, p);
}
