/**
 * Fields of the last statx(2) result (lib/fs/statx.ts `statxBuf`) compared with decimal
 * text as sidecars and version caches hold it (`text` from `from` to `to`), without
 * building a string or a BigInt: an unchanged re-run compares about ten fields per target.
 *
 * Each answers exactly what comparing the field's own text (`u64Text`, `nsText`) with that
 * text would. Text in the canonical form (digits, no leading zero, at most 15 digits
 * before a time's last nine) is compared as numbers; any other text (a sign, a leading
 * zero, more digits) is compared as text, which is as exact and only slower.
 */
import { nsText, statxView, u64Number, u64Text } from "./statx.ts";

/** Digits a double holds exactly (10^15 < 2^53). */
const EXACT_DIGITS = 15;

/**
 * `text[from, to)` as a number when it is canonical decimal (`0`, or digits without a
 * leading zero; with `padded`, leading zeros allowed) of at most 15 digits; else -1.
 */
export function decimal(text: string, from: number, to: number, padded = false): number {
  const n = to - from;
  if (n <= 0 || n > EXACT_DIGITS || (!padded && n > 1 && text.charCodeAt(from) === 48)) {
    return -1;
  }
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** The whole seconds of the statx timestamp at `off`; NaN before 1970. */
function secondsOf(off: number): number {
  const hi = statxView.getInt32(off + 4, true);
  return hi < 0 ? NaN : hi * 2 ** 32 + statxView.getUint32(off, true);
}

/** Whether the u64 at `off` is the decimal `text[from, to)`. */
export function u64Is(off: number, text: string, from: number, to: number): boolean {
  const v = decimal(text, from, to);
  // `u64Number` is exact below 2^53 and never below 2^53 above it: v has 15 digits at most.
  return v >= 0 ? u64Number(off) === v : u64Text(off) === text.slice(from, to);
}

/** Whether the u32 at `off` is `v`. */
export function u32Is(off: number, v: number): boolean {
  return statxView.getUint32(off, true) === v;
}

/**
 * The statx timestamp at `off` compared with decimal nanoseconds `text[from, to)`: -1, 0
 * or 1 as it is earlier, the same or later; NaN when the text is not canonical or either
 * time is before 1970 (then compare as text, `nsText`).
 */
function nsCompare(off: number, text: string, from: number, to: number): number {
  const cut = Math.max(from, to - 9);
  const sec = cut === from ? 0 : decimal(text, from, cut);
  const nsec = decimal(text, cut, to, cut > from);
  // A time of over nine digits has no leading zero, so its seconds are not 0.
  if (sec < 0 || nsec < 0 || (cut > from && sec === 0)) return NaN;
  const liveSec = secondsOf(off);
  if (liveSec !== liveSec) return NaN;
  const liveNsec = statxView.getUint32(off + 8, true);
  if (liveSec !== sec) return liveSec < sec ? -1 : 1;
  return liveNsec === nsec ? 0 : liveNsec < nsec ? -1 : 1;
}

/** Whether the statx timestamp at `off` is the decimal nanoseconds `text[from, to)`. */
export function nsIs(off: number, text: string, from: number, to: number): boolean {
  const c = nsCompare(off, text, from, to);
  return c === c ? c === 0 : nsText(off) === text.slice(from, to);
}

/**
 * Whether the statx timestamp at `off` is not later than the decimal nanoseconds
 * `text[from, to)`; false when that cannot be told on numbers (the caller then asks the
 * slower way, which decides).
 */
export function nsAtMost(off: number, text: string, from: number, to: number): boolean {
  return nsCompare(off, text, from, to) <= 0;
}

/**
 * The statx timestamp at `off` in whole milliseconds (floor), for the racy rule; NaN
 * before 1970.
 */
export function msOf(off: number): number {
  return secondsOf(off) * 1000 + Math.floor(statxView.getUint32(off + 8, true) / 1_000_000);
}
