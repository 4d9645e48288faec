// The dashboard: one self-contained page and the JSON API it reads, from the history store alone (no cloud call,
// no permission in its RAM role).
//   GET /                               the page (no data in it; it reads the token from its URL fragment)
//   GET /api/fleet?product&state&tag&q&page&pageSize   the fleet's counts and one page of matching databases
//   GET /api/databases/{product}/{id}   one database with its history records and its restore drills
// The API takes `Authorization: Bearer <token>` from a signed, expiring link (shared/dashboard/token.ts).
import { restorePointsFrom } from '../../shared/restore-points/snapshot';
import { drillLogFor } from '../../shared/drill/log';
import page from 'fcdb:dashboard-page';
import { BackupError } from '../../shared/errors';
import { httpApp } from '../../shared/http/app';
import { jsonResponse } from '../../shared/http/middleware/response';
import { validate } from '../../shared/http/middleware/validator';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';
import { dashboardAuth } from '../../shared/dashboard/auth';
import { buildFleet, FleetCache } from '../../shared/dashboard/fleet';
import { apiHeaders, pageCsp, pageHeaders } from '../../shared/dashboard/headers';
import { databaseDetail, fleetPage, fleetQuery, type FleetQuery } from '../../shared/dashboard/query';
import { dashboardSecretEnv } from '../../shared/dashboard/token';
import * as z from 'zod/mini';

const csp = pageCsp(page.script, page.style);
// A warm instance answers a page's next requests (paging, filters) from one read of the store.
const cache = new FleetCache(15_000);
const fleetOf = (inv: Invocation) => cache.get(() => buildFleet({ history: inv.history, restorePoints: restorePointsFrom(inv.deps.store), drills: drillLogFor(inv.deps.store), maxAgeMs: inv.config.reportMaxAgeMs, timeZone: inv.config.digestTimeZone }));
const auth = () => dashboardAuth({ secret: () => process.env[dashboardSecretEnv] });

export const handler = httpApp({
  routes: [
    {
      method: 'GET',
      path: '/',
      // The page holds no data: the API it calls checks the link.
      auth: 'none',
      use: [validate({ querySchema: z.strictObject({}), what: 'page request' })],
      handler: async () => ({ statusCode: 200, headers: pageHeaders(csp), body: page.html }),
    },
    {
      method: 'GET',
      path: '/api/fleet',
      auth: auth(),
      use: [validate({ querySchema: fleetQuery, what: 'fleet query' })],
      handler: async (req, { context }) => {
        const inv = startInvocation(context);
        return jsonResponse(200, await fleetPage(await fleetOf(inv), req.query as FleetQuery, inv.history), apiHeaders);
      },
    },
    {
      method: 'GET',
      path: '/api/databases/{product}/{id}',
      auth: auth(),
      use: [validate({ querySchema: z.strictObject({}), what: 'database request' })],
      handler: async (_req, { context, params }) => {
        const inv = startInvocation(context);
        const detail = databaseDetail(await fleetOf(inv), params.product ?? '', params.id ?? '');
        if (!detail) throw new BackupError({ code: 'NotFound', category: 'not-found', message: `No history for ${params.product} ${params.id} in the last ${Math.round(inv.config.historyRetentionMs / 86_400_000)} days.` });
        return jsonResponse(200, detail, apiHeaders);
      },
    },
  ],
});
