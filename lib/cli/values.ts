/**
 * Option values that are more than a word: durations (`--max-age`, `--lock-timeout`),
 * and negative numbers given as the next argument (`--keep -1`), which parseArgs would
 * take for an option; also whole numbers in a range (`--workers`, `--keep`) and `--at`.
 */
import { usage } from "../errors.ts";
import type { AtSpec } from "../store/selection.ts";

const UNIT_MS: Record<string, number> = {
  w: 7 * 86400e3,
  d: 86400e3,
  h: 3600e3,
  m: 60e3,
  s: 1e3,
  ms: 1,
};

/**
 * Parses `90s`, `90m`, `12h`, `30d`, `2w` and compounds, largest unit first (`1d12h`,
 * `1h30m`), into milliseconds; `ms` is accepted for `--lock-timeout`.
 * @throws SnapyardError USAGE for anything else.
 */
export function parseDuration(s: string): number {
  const bad = () =>
    usage(
      `Invalid duration "${s}": use whole numbers with w, d, h, m, s or ms, largest first ` +
        `(e.g. 30d, 1d12h)`,
    );
  if (!/^(\d{1,9}(ms|[wdhms]))+$/.test(s)) throw bad();
  let ms = 0;
  let last = Infinity;
  for (const [, n, unit] of s.matchAll(/(\d{1,9})(ms|[wdhms])/g)) {
    const size = UNIT_MS[unit!]!;
    if (size >= last) throw bad();
    last = size;
    ms += Number(n) * size;
  }
  return ms;
}

/** `--lock-timeout`: a bare number of milliseconds (as before), or a duration (`5s`). */
export function parseLockTimeout(s: string): number {
  const ms = /^\d{1,10}$/.test(s) ? Number(s) : parseDuration(s);
  if (ms > 86_400_000) {
    throw usage(`Invalid --lock-timeout "${s}": expected 0 to 86400000 ms, or a duration up to 1d`);
  }
  return ms;
}

/**
 * argv with each `--name -N` of a value option written `--name=-N`: parseArgs takes a
 * negative number for an option and says so in its own words; ours name the value.
 */
export function joinNegativeValues(
  args: readonly string[],
  spec: Readonly<Record<string, { type: string }>>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const opt = spec[a.slice(2)];
    const next = args[i + 1];
    if (a.startsWith("--") && opt?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * Parses the whole number `s` given to `--name`, from `min` to `max`.
 * @throws SnapyardError USAGE for anything else.
 */
export function parseWhole(name: string, s: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(s) || Number(s) < min || Number(s) > max) {
    throw usage(`Invalid --${name} "${s}": expected a whole number from ${min} to ${max}`);
  }
  return Number(s);
}

/**
 * Parses `--at`: latest, previous or a run's TS.
 * @throws SnapyardError USAGE for anything else.
 */
export function parseAt(s: string): AtSpec {
  if (s === "latest") return { kind: "latest" };
  if (s === "previous") return { kind: "previous" };
  if (/^\d{1,16}$/.test(s)) return { kind: "ts", ts: Number(s) };
  throw usage(`Invalid --at "${s}": expected latest, previous or a run's TS (milliseconds)`);
}
