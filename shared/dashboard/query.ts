// The JSON API's filters and paging, applied on the server: the page asks for one page of the rows that match, and
// gets the fleet's counts beside it. Query parameters are validated at the edge (unknown ones refused).
import * as z from 'zod/mini';
import { productNames } from '../cloud/products/registry';
import type { History } from '../history/history';
import { databaseId, type HistoryRecord } from '../history/record';
import { drillViews } from './drills';
import { databaseStates, type DatabaseState, type Fleet, type FleetRow } from './fleet';

export const maxPageSize = 200;
const digits = (max: number) => z.string().check(z.regex(/^\d{1,6}$/, { error: 'must be a whole number' }), z.refine((v) => Number(v) >= 1 && Number(v) <= max, { error: `must be from 1 to ${max}` }));

export const fleetQuery = z.strictObject({
  product: z.optional(z.enum(productNames as [string, ...string[]], { error: `must be one of ${productNames.join(', ')}` })),
  state: z.optional(z.enum(databaseStates as [DatabaseState, ...DatabaseState[]], { error: `must be one of ${databaseStates.join(', ')}` })),
  tag: z.optional(z.string().check(z.regex(/^[^=\s]{1,128}=[^\n]{0,128}$/, { error: 'must be key=value' }))),
  q: z.optional(z.string().check(z.maxLength(128))),
  page: z.optional(digits(100_000)),
  pageSize: z.optional(digits(maxPageSize)),
});
export type FleetQuery = z.infer<typeof fleetQuery>;

/** What the browser gets of a row: the search refs stay on the server. */
export type RowView = Omit<FleetRow, 'refs'>;

export interface FleetPage {
  generatedAt: string;
  maxAgeMs: number;
  timeZone: string;
  days: string[];
  summary: Record<DatabaseState, number> & { total: number };
  facets: { products: string[]; tags: string[] };
  query: FleetQuery;
  page: number;
  pageSize: number;
  /** Rows matching the query, over all pages. */
  matching: number;
  pages: number;
  databases: RowView[];
  warnings: string[];
}

const view = ({ refs: _refs, ...row }: FleetRow): RowView => row;

/** Rows a search term names: part of an instance id or a tag, or exactly an id the tool printed (job, backup set, key, deploy). */
async function searched(rows: readonly FleetRow[], q: string, history: History): Promise<Set<FleetRow>> {
  const needle = q.trim().toLowerCase();
  const hits = new Set(rows.filter((r) => r.instanceId.toLowerCase().includes(needle) || Object.entries(r.tags).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(needle)) || r.refs.includes(q.trim())));
  // The history's own look-up also finds a record whose database's refs were not read (outside the window, a new one).
  const named = new Set((await history.find(q.trim()).catch((): HistoryRecord[] => [])).map((r) => databaseId(r.product, r.instanceId)));
  for (const r of rows) if (named.has(databaseId(r.product, r.instanceId))) hits.add(r);
  return hits;
}

export async function fleetPage(fleet: Fleet, query: FleetQuery, history: History): Promise<FleetPage> {
  const [tagKey, tagValue] = query.tag === undefined ? [] : [query.tag.slice(0, query.tag.indexOf('=')), query.tag.slice(query.tag.indexOf('=') + 1)];
  const found = query.q !== undefined && query.q.trim() !== '' ? await searched(fleet.rows, query.q, history) : undefined;
  const matching = fleet.rows.filter(
    (r) =>
      (query.product === undefined || r.product === query.product) &&
      (query.state === undefined || r.state === query.state) &&
      (tagKey === undefined || r.tags[tagKey] === tagValue) &&
      (found === undefined || found.has(r)),
  );
  const pageSize = Number(query.pageSize ?? 50);
  const pages = Math.max(1, Math.ceil(matching.length / pageSize));
  const page = Math.min(Number(query.page ?? 1), pages);
  const summary = { total: fleet.rows.length, failed: 0, stale: 0, running: 0, ok: 0 };
  for (const r of fleet.rows) summary[r.state]++;
  return {
    generatedAt: fleet.generatedAt,
    maxAgeMs: fleet.maxAgeMs,
    timeZone: fleet.timeZone,
    days: fleet.days,
    summary,
    facets: {
      products: [...new Set(fleet.rows.map((r) => r.product))].sort(),
      tags: [...new Set(fleet.rows.flatMap((r) => Object.entries(r.tags).map(([k, v]) => `${k}=${v}`)))].sort(),
    },
    query,
    page,
    pageSize,
    matching: matching.length,
    pages,
    databases: matching.slice((page - 1) * pageSize, page * pageSize).map(view),
    warnings: fleet.warnings,
  };
}

/** A history record as the detail view lists it: what happened, never where a chat result was posted. */
export function recordView(r: HistoryRecord) {
  return {
    key: r.id,
    state: r.state,
    trigger: r.origin.trigger,
    ...(r.origin.deployId ? { deployId: r.origin.deployId } : {}),
    ...(r.origin.requestedBy ? { requestedBy: r.origin.requestedBy } : {}),
    requestedAt: r.requestedAt,
    ...(r.jobId ? { jobId: r.jobId } : {}),
    ...(r.backupId ? { backupId: r.backupId } : {}),
    ...(r.method ? { method: r.method } : {}),
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.finishedAt ?? r.endedAt ? { finishedAt: r.finishedAt ?? r.endedAt } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    ...(r.sizeBytes !== undefined ? { sizeBytes: r.sizeBytes } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.retired ? { retired: r.retired } : {}),
  };
}

export interface DatabaseDetail {
  database: RowView;
  records: ReturnType<typeof recordView>[];
  /** Its restore drills, newest first (absent: drills not read). */
  drills?: ReturnType<typeof drillViews>;
  days: string[];
  timeZone: string;
  generatedAt: string;
}

export function databaseDetail(fleet: Fleet, product: string, instanceId: string): DatabaseDetail | undefined {
  const row = fleet.rows.find((r) => r.product === product && r.instanceId === instanceId);
  if (!row) return undefined;
  const id = databaseId(row.product, row.instanceId);
  return {
    database: view(row),
    records: (fleet.records.get(id) ?? []).map(recordView),
    ...(row.drill ? { drills: drillViews(fleet.drills.get(id) ?? []) } : {}),
    days: fleet.days,
    timeZone: fleet.timeZone,
    generatedAt: fleet.generatedAt,
  };
}
