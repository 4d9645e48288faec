// FC timer cron: 6 fields with seconds (`0 0 2 * * *`), optional `CRON_TZ=Area/City ` prefix, or `@every 5m`.
// Enough of the syntax to fire the timer locally as FC would: numbers, `*`, lists, ranges and steps.

export interface Schedule {
  /** The next firing strictly after `from`. */
  next(from: Date): Date;
}

const limits = [
  [0, 59],
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 6],
] as const;

function field(spec: string, [min, max]: readonly [number, number], name: string): Set<number> {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^(\*|\?|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`cron: bad ${name} field "${spec}"`);
    const from = m[1] === '*' || m[1] === '?' ? min : Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[1] === '*' || m[1] === '?' || m[3] !== undefined ? max : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (from < min || to > max || from > to || step < 1) throw new Error(`cron: ${name} field "${spec}" is out of range ${min}-${max}`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

/** Wall-clock parts of `d` in `tz` (IANA), for matching a CRON_TZ schedule. */
function partsIn(d: Date, tz: string): number[] {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(String(p.weekday));
  return [Number(p.second), Number(p.minute), Number(p.hour), Number(p.day), Number(p.month), weekday];
}

export function parseCron(expr: string): Schedule {
  let text = expr.trim();
  const every = /^@every\s+(\d+)(s|m|h)$/.exec(text);
  if (every) {
    const ms = Number(every[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[every[2] as 's' | 'm' | 'h'];
    return { next: (from) => new Date(from.getTime() + ms) };
  }
  let tz = 'UTC';
  const tzMatch = /^CRON_TZ=(\S+)\s+(.*)$/.exec(text);
  if (tzMatch) {
    tz = tzMatch[1] as string;
    text = tzMatch[2] as string;
    new Intl.DateTimeFormat('en-US', { timeZone: tz }); // throws RangeError on an unknown zone
  }
  const specs = text.split(/\s+/);
  if (specs.length !== 6) throw new Error(`cron: "${expr}" must have 6 fields (second minute hour day month weekday)`);
  const names = ['second', 'minute', 'hour', 'day', 'month', 'weekday'];
  const sets = specs.map((s, i) => field(s, limits[i] as readonly [number, number], names[i] as string));
  return {
    next(from) {
      // Walk forward in local wall-clock terms, skipping whole minutes or quarter hours that cannot match
      // (every zone offset is a multiple of 15 minutes), through at most a year: exact across DST changes.
      const start = Math.floor(from.getTime() / 1000) + 1;
      for (let s = start; s < start + 366 * 86_400; ) {
        const parts = partsIn(new Date(s * 1000), tz);
        const ok = parts.map((v, i) => (sets[i] as Set<number>).has(v));
        if (ok.every(Boolean)) return new Date(s * 1000);
        if (ok.slice(2).some((x) => !x)) s = (Math.floor(s / 900) + 1) * 900;
        else if (!ok[1]) s = (Math.floor(s / 60) + 1) * 60;
        else s += 1;
      }
      throw new Error(`cron: "${expr}" never fires`);
    },
  };
}
