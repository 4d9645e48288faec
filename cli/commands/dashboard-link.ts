// `fc-db-backup dashboard-link`: mints a signed link to the dashboard, valid for --ttl. The token is in the link's
// fragment, which browsers never send to a server; whoever holds the link sees every database's backups until it
// expires, so hand it out like the report itself.
import { parseArgs } from 'node:util';
import { loadConfig, parseDuration } from '../../shared/config';
import { dashboardLink as linkTo, dashboardSecretEnv, maxLinkTtlMs, mintToken } from '../../shared/dashboard/token';
import { out, usage, type Command } from '../command';
import { EXIT } from '../exit';
import { secretFromEnv } from '../secrets';

export const dashboardLink: Command = {
  name: 'dashboard-link',
  usage: `  fc-db-backup dashboard-link [--ttl 8h] [--url URL] [--json]
      prints a signed link to the dashboard, valid for --ttl (default DASHBOARD_LINK_TTL, else 8h; at most 7d);
      --url is the dashboard function's URL (default DASHBOARD_URL); signed with DASHBOARD_SECRET`,
  async run(args) {
    const { values } = parseArgs({ args, options: { ttl: { type: 'string' }, url: { type: 'string' }, json: { type: 'boolean' } } });
    const o = out(values.json ?? false);
    const config = loadConfig(process.env);
    const ttlMs = values.ttl === undefined ? config.dashboardLinkTtlMs : parseDuration(values.ttl);
    if (ttlMs === undefined || ttlMs < 60_000 || ttlMs > maxLinkTtlMs) throw usage(`--ttl must be a duration from 1m to 7d, like 8h or 30m (got "${values.ttl}")`);
    const url = values.url ?? config.dashboardUrl;
    if (!url) throw usage('dashboard-link needs --url or DASHBOARD_URL: the dashboard function\'s URL (the local stack prints it)');
    if (!/^https?:\/\/\S+$/.test(url)) throw usage(`--url must be an http:// or https:// URL (got "${url}")`);
    const secret = secretFromEnv(dashboardSecretEnv, 'the dashboard\'s link secret');
    const minted = mintToken(secret, { ttlMs });
    const link = linkTo(url, minted.token);
    o.print(`${link}\n\nValid until ${minted.expiresAt.replace('T', ' ').slice(0, 16)} UTC. Anyone holding it sees every database's backups until then.`, { url: link, expiresAt: minted.expiresAt, linkId: minted.linkId });
    return EXIT.ok;
  },
};
