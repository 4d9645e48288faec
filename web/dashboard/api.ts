// What the page reads of the JSON API (shared/dashboard/query.ts builds it), and how it asks: the link's token
// as a header, to the page's own origin, never cached, no cookie, no Referer.

export type State = 'failed' | 'stale' | 'running' | 'ok';

export interface Row {
  product: string;
  instanceId: string;
  state: State;
  tags: Record<string, string>;
  ok: boolean;
  running: boolean;
  lastGoodAt: string | null;
  ageMs: number | null;
  sizeBytes: number | null;
  consecutiveSuccesses: number;
  lastFailure: { code: string; message: string; at: string } | null;
  strip: string;
  sizes: (number | null)[];
  durations: (number | null)[];
  retention: { policy: Record<string, unknown>; retained: unknown[]; deleted: unknown[]; nextDeletion?: string } | null;
  /** Sections other capabilities add to the report model; absent until they record something. */
  [more: string]: unknown;
}

export type DrillVerdict = 'passed' | 'failed' | 'timed-out';

/** A row's `drill` (shared/dashboard/drills.ts): its newest drill in any phase and the 90 days' recovery times. */
export interface DrillSummary {
  last: {
    drillId: string;
    requestedAt: string;
    readyAt: string | null;
    ageMs: number;
    phase: string;
    verdict: DrillVerdict | null;
    recoveryMs: number | null;
    error: { code: string; message: string } | null;
  } | null;
  recovery: { at: string; ms: number }[];
}

/** The report's LAST RESTORE TESTED (shared/report/restore-tested.ts). */
export interface RestoreTested {
  drillId: string;
  testedAt: string;
  recoveryMs: number | null;
  verdict: DrillVerdict | null;
  lastPassedAt: string | null;
}

export interface DrillRow {
  drillId: string;
  backupId: string;
  trigger: string;
  requestedBy?: string;
  requestedAt: string;
  phase: string;
  readyAt?: string;
  recoveryMs?: number;
  verdict?: DrillVerdict;
  verdictMessage?: string;
  releasedAt?: string;
  lifetimeMs?: number;
  error?: { code: string; message: string };
}

export interface FleetPage {
  generatedAt: string;
  maxAgeMs: number;
  timeZone: string;
  days: string[];
  summary: Record<State, number> & { total: number };
  facets: { products: string[]; tags: string[] };
  page: number;
  pageSize: number;
  matching: number;
  pages: number;
  databases: Row[];
  warnings: string[];
}

export interface HistoryRow {
  key: string;
  state: string;
  trigger: string;
  deployId?: string;
  requestedBy?: string;
  requestedAt: string;
  jobId?: string;
  backupId?: string;
  method?: string;
  finishedAt?: string;
  durationMs?: number;
  sizeBytes?: number;
  error?: { code: string; message: string };
  retired?: { at: string; reason: string };
}

export interface Detail {
  database: Row;
  records: HistoryRow[];
  /** Its restore drills, newest first (absent: the server read none). */
  drills?: DrillRow[];
  days: string[];
  timeZone: string;
  generatedAt: string;
}

export class LinkRefused extends Error {}

/** The page's base: the API lives beside it, whatever path a gateway mounts the function at. */
const base = () => (location.pathname.endsWith('/') ? location.pathname : `${location.pathname}/`);

export async function getJson<T>(path: string, token: string): Promise<T> {
  const res = await fetch(`${base()}${path}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (res.status === 401) throw new LinkRefused(body.error?.message ?? 'This dashboard link is not valid.');
  if (!res.ok) throw new Error(body.error?.message ?? `The dashboard answered HTTP ${res.status}.`);
  return body as T;
}

/** The link's expiry, read from the token itself (the server checks it too): an expired link asks nothing. */
export function tokenExpiry(token: string): number | undefined {
  const m = /^fcdb1\.\d{10}\.(\d{10})\./.exec(token);
  return m ? Number(m[1]) * 1000 : undefined;
}
