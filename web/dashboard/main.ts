// The page: reads the link's token from the URL fragment (never sent to a server), asks the JSON API with it as a
// header, and keeps what it shows (filters, the open database) in the fragment too, so Back and reload work.
import { getJson, LinkRefused, tokenExpiry, type Detail, type FleetPage, type Row } from './api';
import { detailView } from './detail-view';
import { el } from './dom';
import { setTimeZone, time } from './format';
import { fleetView, type Filters } from './fleet-view';

const app = document.getElementById('app') as HTMLElement;
const meta = document.getElementById('meta') as HTMLElement;

interface View extends Filters {
  db?: string;
}

const hashParams = () => new URLSearchParams(location.hash.slice(1));
const token = hashParams().get('token') ?? '';

function viewOf(): View {
  const p = hashParams();
  const v: View = {};
  for (const k of ['product', 'state', 'tag', 'q', 'page', 'db'] as const) {
    const x = p.get(k);
    if (x) v[k] = x;
  }
  return v;
}

function go(v: View, push = false): void {
  const p = new URLSearchParams({ token });
  for (const [k, x] of Object.entries(v)) if (x) p.set(k, x);
  // Only the fragment changes: no request, no Referer, the token stays out of every server's log.
  const url = `${location.pathname}#${p.toString()}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  void render();
}

function explain(message: string): void {
  meta.textContent = '';
  app.replaceChildren(
    el(
      'section',
      { class: 'refused', role: 'alert' },
      el('h2', {}, 'This dashboard link cannot be used'),
      el('p', {}, message),
      el('p', {}, 'Links are signed and expire (8 hours by default). Get a new one:'),
      el('ul', {}, el('li', {}, 'on a terminal: ', el('code', {}, 'fc-db-backup dashboard-link'), ' (with DASHBOARD_SECRET and DASHBOARD_URL set)'), el('li', {}, 'in Slack or DingTalk: type ', el('code', {}, 'report'), ' — the reply carries a link if your CHATOPS_ACL rule allows ', el('code', {}, 'dashboard'))),
    ),
  );
}

let generation = 0;

async function render(): Promise<void> {
  const mine = ++generation;
  const expires = tokenExpiry(token);
  if (!token) return explain('This page was opened without a link token.');
  if (expires !== undefined && expires <= Date.now()) return explain(`This dashboard link expired at ${new Date(expires).toISOString().replace('T', ' ').slice(0, 16)} UTC.`);
  const v = viewOf();
  app.setAttribute('aria-busy', 'true');
  try {
    if (v.db) {
      const [product, ...id] = v.db.split(':');
      const d = await getJson<Detail>(`api/databases/${encodeURIComponent(product ?? '')}/${encodeURIComponent(id.join(':'))}`, token);
      if (mine !== generation) return;
      setTimeZone(d.timeZone);
      app.replaceChildren(detailView(d, () => history.length > 1 ? history.back() : go({ ...v, db: undefined })));
      (document.getElementById('detail-title') as HTMLElement).focus();
      showMeta(d.generatedAt, d.timeZone, expires);
    } else {
      const q = new URLSearchParams();
      for (const k of ['product', 'state', 'tag', 'q', 'page'] as const) if (v[k]) q.set(k, v[k] as string);
      const p = await getJson<FleetPage>(`api/fleet?${q.toString()}`, token);
      if (mine !== generation) return;
      setTimeZone(p.timeZone);
      const focused = document.activeElement?.id;
      app.replaceChildren(fleetView(p, v, { filter: (f) => go(f), open: (r: Row) => go({ ...v, db: `${r.product}:${r.instanceId}` }, true) }));
      // A filter typed into or chosen keeps the keyboard where it was (the search box keeps its caret at the end).
      const again = focused ? document.getElementById(focused) : null;
      if (again && document.activeElement !== again) {
        again.focus();
        if (again instanceof HTMLInputElement) again.setSelectionRange(again.value.length, again.value.length);
      }
      showMeta(p.generatedAt, p.timeZone, expires);
      performance.mark('fcdb:fleet-rendered');
    }
  } catch (e) {
    if (mine !== generation) return;
    if (e instanceof LinkRefused) return explain(e.message);
    app.replaceChildren(el('p', { class: 'warning', role: 'alert' }, `⚠ ${(e as Error).message}`));
  } finally {
    app.removeAttribute('aria-busy');
  }
}

function showMeta(generatedAt: string, zone: string, expires: number | undefined): void {
  meta.textContent = `As of ${time(generatedAt)} (${zone}) · link valid until ${expires ? time(new Date(expires).toISOString()) : '—'}`;
}

window.addEventListener('popstate', () => void render());
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && viewOf().db) go({ ...viewOf(), db: undefined });
});
// While the page stays open, the link's end is shown when it comes, without waiting for a click.
const expiry = tokenExpiry(token);
if (expiry !== undefined && expiry - Date.now() < 2 ** 31 - 1) window.setTimeout(() => void render(), Math.max(0, expiry - Date.now()) + 500);
void render();
