// Field rules common to every product's target schema. Messages state the rule; the validator adds field and value.
// zod/mini, not classic zod: the same checks at a fraction of the load time (cold start; see README, Performance).
import * as z from 'zod/mini';

export const instanceIdField = (example: string) =>
  z.string({ error: `must be a string, e.g. "${example}"` }).check(
    z.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, {
      error: `must be an instance id of 3–64 letters, digits, "-" or "_", e.g. "${example}"`,
    }),
  );

export const regionField = z
  .string({ error: 'must be a string, e.g. "cn-hangzhou"' })
  .check(z.regex(/^[a-z]{2,}(-[a-z0-9]+){1,3}$/, { error: 'must be a region id such as "cn-hangzhou" or "ap-southeast-1"' }));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** A whole number from `min` to `max`, with the rule in words (`what` says why the bounds are what they are). */
export const wholeNumber = (min: number, max: number, what: string) =>
  z.number({ error: `must be a whole number, ${what}` }).check(
    z.refine((n) => Number.isInteger(n), { error: `must be a whole number, ${what}`, abort: true }),
    z.refine((n) => n >= min && n <= max, { error: `must be ${min} to ${max}, ${what}` }),
  );

/**
 * Retention, common to every target: `keep` counts this tool's good manual backups of the database to keep (the
 * newest always among them), `keepDays` how long to keep them. Each product narrows the bounds to what its API allows.
 */
export const keepField = (max: number, why: string) => z.optional(wholeNumber(1, max, `how many of this tool's good backups to keep (${why})`));
export const keepDaysField = (min: number, max: number, why: string) => z.optional(wholeNumber(min, max, `days to keep this tool's backups (${why})`));

export interface RotationBounds {
  keepLast: number;
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
}

/**
 * Rotation with restic's `forget` meaning (shared/retention/rotation.ts): the newest good backup of each of the last
 * n days, ISO weeks and months that have one, counted in the timer's time zone. A backup may count for several.
 */
export const rotationFields = (max: RotationBounds, why: string) => ({
  keepLast: z.optional(wholeNumber(1, max.keepLast, `how many of the newest of this tool's good backups to keep (${why})`)),
  keepDaily: z.optional(wholeNumber(1, max.keepDaily, `for how many of the last days with a backup to keep that day's newest (${why})`)),
  keepWeekly: z.optional(wholeNumber(1, max.keepWeekly, `for how many of the last ISO weeks with a backup to keep that week's newest (${why})`)),
  keepMonthly: z.optional(wholeNumber(1, max.keepMonthly, `for how many of the last months with a backup to keep that month's newest (${why})`)),
});

export const rotationNames = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;

/** The rotation counts a target sets, in rotationNames order; non-numbers (already refused) are left out. */
export const rotationSet = (t: Partial<Record<(typeof rotationNames)[number], unknown>>) =>
  rotationNames.flatMap((name) => (typeof t[name] === 'number' ? [{ name, n: t[name] }] : []));

/**
 * How many days back a rotation reaches with one backup a night: a monthly is kept about 31 days per count, a weekly
 * 7, a daily 1. An upper estimate, for comparing with a retention the cloud enforces.
 */
export const rotationReachDays = (t: Partial<Record<(typeof rotationNames)[number], unknown>>): number =>
  Math.max(0, ...rotationSet(t).map(({ name, n }) => n * (name === 'keepMonthly' ? 31 : name === 'keepWeekly' ? 7 : 1)));
