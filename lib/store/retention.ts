/**
 * Which runs a prune keeps: restic's and borg's policies over run timestamps, in local
 * time, combined as a union, then `maxAgeMs` as today's removal rule.
 *
 * - `last N`: the N newest runs.
 * - `hourly/daily/weekly/monthly/yearly N`: for each of the N newest periods that have
 *   a run, its newest run (weeks are ISO weeks).
 * - `withinMs`: every run within that long of the newest run (restic's `--keep-within`).
 * A run is kept when some policy selects it (every run when no policy is given) and it is
 * not older than `maxAgeMs` by the clock `now`. Pure: no I/O.
 */

/** The retention policy; an undefined rule does not apply. */
export interface RunPolicy {
  last?: number | undefined;
  hourly?: number | undefined;
  daily?: number | undefined;
  weekly?: number | undefined;
  monthly?: number | undefined;
  yearly?: number | undefined;
  withinMs?: number | undefined;
  maxAgeMs?: number | undefined;
  /** The clock `maxAgeMs` is measured against (ms since the epoch). */
  now: number;
}

type Period = "hourly" | "daily" | "weekly" | "monthly" | "yearly";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** The ISO-8601 week-year and week of a local date. */
function isoWeek(d: Date): string {
  const day = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  const dow = (day.getDay() + 6) % 7; // Monday 0
  day.setDate(day.getDate() - dow + 3); // the Thursday of this week decides its year
  const firstThursday = new Date(day.getFullYear(), 0, 4);
  const week = 1 +
    Math.round(
      ((day.getTime() - firstThursday.getTime()) / 86_400_000 -
        3 + ((firstThursday.getDay() + 6) % 7)) / 7,
    );
  return `${day.getFullYear()}-W${pad(week)}`;
}

/** The local-time period a TS falls in. */
export function periodKey(ts: number, period: Period): string {
  const d = new Date(ts);
  const y = pad(d.getFullYear(), 4);
  const m = pad(d.getMonth() + 1);
  switch (period) {
    case "yearly":
      return y;
    case "monthly":
      return `${y}-${m}`;
    case "weekly":
      return isoWeek(d);
    case "daily":
      return `${y}-${m}-${pad(d.getDate())}`;
    case "hourly":
      return `${y}-${m}-${pad(d.getDate())}T${pad(d.getHours())}`;
  }
}

/** Whether any keep rule is given (else every run not too old is kept). */
export function hasKeepRule(p: RunPolicy): boolean {
  return [p.last, p.hourly, p.daily, p.weekly, p.monthly, p.yearly, p.withinMs]
    .some((v) => v !== undefined);
}

/** The TSs of the runs `p` keeps, out of `runs` (TSs, any order). */
export function keptRuns(runs: readonly number[], p: RunPolicy): Set<number> {
  const newestFirst = [...new Set(runs)].sort((a, b) => b - a);
  const keep = new Set<number>();
  if (!hasKeepRule(p)) newestFirst.forEach((ts) => keep.add(ts));
  if (p.last !== undefined) newestFirst.slice(0, p.last).forEach((ts) => keep.add(ts));
  for (const period of ["hourly", "daily", "weekly", "monthly", "yearly"] as const) {
    const n = p[period];
    if (n === undefined) continue;
    const seen = new Set<string>();
    for (const ts of newestFirst) {
      if (seen.size >= n) break;
      const key = periodKey(ts, period);
      if (seen.has(key)) continue;
      seen.add(key);
      keep.add(ts);
    }
  }
  if (p.withinMs !== undefined && newestFirst.length > 0) {
    const newest = newestFirst[0]!;
    for (const ts of newestFirst) if (newest - ts <= p.withinMs) keep.add(ts);
  }
  if (p.maxAgeMs !== undefined) {
    for (const ts of [...keep]) if (p.now - ts > p.maxAgeMs) keep.delete(ts);
  }
  return keep;
}
