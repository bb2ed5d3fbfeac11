/**
 * Turns samples into the bench's output: one table per runtime, then PASS/FAIL lines
 * against the targets of issue #3. Times are judged median against median (min
 * against min is shown beside it); peak RSS is the max over the rounds.
 */
import type { Runtime, Sample, ToolKind } from "./tools.ts";
import { toolLabel } from "./tools.ts";
import type { TreeStats } from "./trees.ts";

/** The samples of one tool on one tree. */
export interface Series {
  tree: string;
  stats: TreeStats;
  kind: ToolKind;
  runtime?: Runtime;
  samples: Sample[];
}

/** What the targets are checked against: the series of one runtime, by tree and tool. */
export interface RuntimeResults {
  runtime: Runtime;
  series: Series[];
  /** snapyard on the 100,000-file tree, when it ran. */
  huge?: Series;
  /** The tree whose peak RSS the 100,000-file tree's is compared with. */
  hugeBase: string;
}

const MiB = 1024 * 1024;

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid] ?? NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? NaN) + hi) / 2;
}

function min(xs: readonly number[]): number {
  return Math.min(...xs);
}

const secondsOf = (s: Series) => s.samples.map((x) => x.seconds);
const peakMiB = (s: Series) => Math.max(...s.samples.map((x) => x.rssKiB)) / 1024;

function find(series: readonly Series[], tree: string, kind: ToolKind): Series | undefined {
  return series.find((s) => s.tree === tree && s.kind === kind);
}

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "-";
}

/** A markdown table: the first two columns left-aligned, the rest right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join(" | ") +
    " |";
  // Markdown alignment: left for the first two columns, right for numbers.
  const rule = "|" + widths.map((w, i) => "-".repeat(w + 1) + (i < 2 ? "-" : ":")).join("|") + "|";
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function row(s: Series, ratios: string[]): string[] {
  const med = median(secondsOf(s));
  const entries = s.stats.files + s.stats.symlinks;
  return [
    s.tree,
    toolLabel(s.kind),
    fixed(min(secondsOf(s)), 3),
    fixed(med, 3),
    fixed(entries / med, 0),
    fixed(s.stats.bytes / MiB / med, 0),
    fixed(peakMiB(s), 0),
    ...ratios,
    // Where the time goes: medians of user and kernel CPU seconds (all threads).
    `${fixed(median(s.samples.map((x) => x.user)), 2)}+${
      fixed(median(s.samples.map((x) => x.sys)), 2)
    }`,
  ];
}

/** snapyard's median time over the baseline's, or NaN when either is missing. */
function ratio(snap: Series | undefined, base: Series | undefined, of = median): number {
  if (!snap || !base) return NaN;
  return of(secondsOf(snap)) / of(secondsOf(base));
}

/** The markdown table of one runtime. */
export function table(r: RuntimeResults, trees: readonly string[]): string {
  const header = ["tree", "tool", "min s", "median s", "files/s", "MiB/s", "peak RSS MiB"];
  header.push("snap/(a)", "snap/(b)", "snap/(c)", "CPU usr+sys s");
  const rows: string[][] = [];
  for (const tree of trees) {
    const snap = find(r.series, tree, "snapyard");
    const bases = (["cp_sync", "cp_sha256", "naive"] as const).map((k) => find(r.series, tree, k));
    if (snap) rows.push(row(snap, bases.map((b) => fixed(ratio(snap, b), 2))));
    for (const b of bases) if (b) rows.push(row(b, ["", "", ""]));
  }
  if (r.huge) {
    const base = find(r.series, r.hugeBase, "snapyard");
    const rss = base ? fixed(peakMiB(r.huge) / peakMiB(base), 2) : "-";
    rows.push(row(r.huge, [`RSS ÷ ${r.hugeBase}: ${rss}`, "", ""]));
  }
  return `snapyard on ${r.runtime}:\n\n${renderTable(header, rows)}`;
}

/** One PASS/FAIL line per target; `false` in the second slot when any target failed. */
export function verdicts(r: RuntimeResults, small: string, large: string, trees: string[]) {
  const lines: string[] = [];
  let allPass = true;
  const check = (ok: boolean, text: string) => {
    allPass &&= ok;
    lines.push(`${ok ? "PASS" : "FAIL"} [${r.runtime}] ${text}`);
  };
  const timeTarget = (tree: string, kind: ToolKind, limit: number, what: string) => {
    const snap = find(r.series, tree, "snapyard");
    const base = find(r.series, tree, kind);
    if (!snap || !base) return;
    const med = ratio(snap, base);
    const mins = ratio(snap, base, min);
    const times = `median ${fixed(median(secondsOf(snap)), 3)} s vs ${
      fixed(median(secondsOf(base)), 3)
    } s`;
    // A "faster than" target reads better as a speed-up: time(base) / time(snapyard).
    const shown = limit < 1
      ? `speed-up ${fixed(1 / med, 2)}, min/min ${fixed(1 / mins, 2)}; target ≥ ${1 / limit}`
      : `ratio ${fixed(med, 2)}, min/min ${fixed(mins, 2)}; target ${
        limit === 1 ? "<" : "≤"
      } ${limit}`;
    // "Faster than" (limit 1) is strict; the other limits are inclusive.
    check(limit === 1 ? med < 1 : med <= limit, `${tree}: ${what} (${times}: ${shown})`);
  };
  timeTarget(small, "cp_sync", 1.5, "snapyard ≤ 1.5× (a)");
  timeTarget(large, "cp_sync", 1.25, "snapyard ≤ 1.25× (a)");
  for (const tree of trees) {
    timeTarget(tree, "cp_sha256", 1, "snapyard faster than (b)");
    timeTarget(tree, "naive", 1 / 3, "snapyard ≥ 3× faster than (c)");
  }
  const base = find(r.series, r.hugeBase, "snapyard");
  if (r.huge && base) {
    const q = peakMiB(r.huge) / peakMiB(base);
    check(
      q <= 1.5,
      `peak RSS ${r.huge.tree} ${fixed(peakMiB(r.huge), 0)} MiB vs ${r.hugeBase} ` +
        `${fixed(peakMiB(base), 0)} MiB: ratio ${fixed(q, 2)} (target ≤ 1.5)`,
    );
  }
  return [lines, allPass] as const;
}
