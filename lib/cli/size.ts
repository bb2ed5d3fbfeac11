/**
 * Quantities for people: sizes in binary units (the `list` tables and the summary lines)
 * and counted nouns (`1 entry`, `2 entries`).
 */

/** `4.0 KiB`, `512 B`. */
export function humanSize(n: number | undefined): string {
  if (n === undefined) return "-";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

/** `n` and the noun in its number: `1 entry`, `2 entries`. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
