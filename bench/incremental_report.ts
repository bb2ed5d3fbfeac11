/**
 * Turns the incremental series (bench/incremental.ts) into one table per runtime and
 * PASS/FAIL lines against the targets of issue #10. Times are judged median against
 * median (min against min is shown beside it); bytes added to the store by an unchanged
 * re-run are judged by their max over the rounds, those of the other runs by the median.
 */
import type { Runtime } from "./tools.ts";
import type { TreeStats } from "./trees.ts";
import type { Change, StepSample } from "./incremental_steps.ts";
import { median, renderTable } from "./report.ts";

/** The samples of one tool (a runtime's snapyard, or restic) on one tree. */
export interface IncSeries {
  tree: string;
  stats: TreeStats;
  tool: Runtime | "restic";
  first: StepSample[];
  unchanged: StepSample[];
  /** snapyard only: the run after the 1% change, and what that change rewrote. */
  changed: StepSample[];
  change: Change[];
  /** snapyard only, with `--against`: the earlier commit's first runs. */
  against: StepSample[];
}

const MiB = 1024 * 1024;

const secs = (xs: StepSample[]) => xs.map((x) => x.seconds);
const added = (xs: StepSample[]) => xs.map((x) => x.bytesAdded);
const min = (xs: number[]) => Math.min(...xs);
const max = (xs: number[]) => Math.max(...xs);

function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "-";
}

function find(all: IncSeries[], tree: string, tool: IncSeries["tool"]): IncSeries | undefined {
  return all.find((s) => s.tree === tree && s.tool === tool);
}

function row(
  s: IncSeries,
  label: string,
  xs: StepSample[],
  first: number,
  restic: number,
): string[] {
  if (xs.length === 0) return [];
  const med = median(secs(xs));
  const bytes = median(added(xs));
  return [
    s.tree,
    label,
    fixed(min(secs(xs)), 3),
    fixed(med, 3),
    fixed((s.stats.files + s.stats.symlinks) / med, 0),
    fixed(s.stats.bytes / MiB / med, 0),
    fixed(bytes / MiB, 2),
    fixed((100 * bytes) / s.stats.bytes, 2),
    fixed(first / med, 2),
    fixed(med / restic, 2),
    `${fixed(median(xs.map((x) => x.user)), 2)}+${fixed(median(xs.map((x) => x.sys)), 2)}`,
  ];
}

/** The markdown table of one runtime: snapyard's three runs and restic's two, per tree. */
export function incrementalTable(
  all: IncSeries[],
  runtime: Runtime,
  trees: string[],
  against?: string,
): string {
  const header = ["tree", "run", "min s", "median s", "tree files/s", "tree MiB/s"];
  header.push("added MiB", "added % tree", "first÷this", "this÷restic same", "CPU usr+sys s");
  const rows: string[][] = [];
  for (const tree of trees) {
    const snap = find(all, tree, runtime);
    const restic = find(all, tree, "restic");
    const rFirst = restic ? median(secs(restic.first)) : NaN;
    const rUnch = restic ? median(secs(restic.unchanged)) : NaN;
    if (snap) {
      const first = median(secs(snap.first));
      const n = snap.change[0]?.files ?? 0;
      rows.push(row(snap, "snapyard first", snap.first, first, rFirst));
      rows.push(row(snap, "snapyard unchanged", snap.unchanged, first, rUnch));
      rows.push(row(snap, `snapyard ${n} changed`, snap.changed, first, NaN));
      rows.push(row(snap, `snapyard ${against} first`, snap.against, first, rFirst));
    }
    if (restic) {
      rows.push(row(restic, "restic first", restic.first, rFirst, rFirst));
      rows.push(row(restic, "restic unchanged", restic.unchanged, rFirst, rUnch));
    }
  }
  const body = renderTable(header, rows.filter((r) => r.length > 0));
  return `incremental, snapyard on ${runtime}:\n\n${body}`;
}

/** One PASS/FAIL line per target; `false` in the second slot when any target failed. */
export function incrementalVerdicts(
  all: IncSeries[],
  runtime: Runtime,
  trees: string[],
  names: { small: string; large: string; against?: string },
) {
  const lines: string[] = [];
  let allPass = true;
  const check = (ok: boolean, text: string) => {
    allPass &&= ok;
    lines.push(`${ok ? "PASS" : "FAIL"} [${runtime}] ${text}`);
  };
  for (const tree of trees) {
    const snap = find(all, tree, runtime);
    const restic = find(all, tree, "restic");
    if (!snap || snap.unchanged.length === 0) continue;
    const unch = median(secs(snap.unchanged));
    if (restic) {
      const r = median(secs(restic.unchanged));
      const mins = min(secs(restic.unchanged)) / min(secs(snap.unchanged));
      check(
        unch < r,
        `${tree}: unchanged re-run faster than restic's unchanged re-run (median ` +
          `${fixed(unch, 3)} s vs ${fixed(r, 3)} s: speed-up ${fixed(r / unch, 2)}, ` +
          `min/min ${fixed(mins, 2)})`,
      );
    }
  }
  const speedUp = (tree: string, limit: number) => {
    const snap = find(all, tree, runtime);
    if (!snap || snap.unchanged.length === 0) return;
    const first = median(secs(snap.first));
    const unch = median(secs(snap.unchanged));
    const mins = min(secs(snap.first)) / min(secs(snap.unchanged));
    check(
      first / unch >= limit,
      `${tree}: unchanged re-run ≥ ${limit}× faster than the first run (median ` +
        `${fixed(first, 3)} s vs ${fixed(unch, 3)} s: speed-up ${fixed(first / unch, 2)}, ` +
        `min/min ${fixed(mins, 2)})`,
    );
  };
  speedUp(names.large, 10);
  speedUp(names.small, 4);
  for (const tree of trees) {
    const snap = find(all, tree, runtime);
    if (!snap || snap.against.length === 0) continue;
    const now = median(secs(snap.first));
    const then = median(secs(snap.against));
    const mins = min(secs(snap.first)) / min(secs(snap.against));
    check(
      now <= then,
      `${tree}: the first run is no slower than ${names.against}'s, same rounds (median ` +
        `${fixed(now, 3)} s vs ${fixed(then, 3)} s: ${fixed(now / then, 2)}×, min/min ` +
        `${fixed(mins, 2)}×)`,
    );
  }
  for (const tree of trees) {
    const snap = find(all, tree, runtime);
    if (!snap || snap.unchanged.length === 0) continue;
    const worst = max(added(snap.unchanged));
    check(
      worst <= 0.01 * snap.stats.bytes,
      `${tree}: an unchanged re-run adds ≤ 1% of the tree's bytes (max over rounds ` +
        `${worst} B = ${fixed((100 * worst) / snap.stats.bytes, 4)}% of ${snap.stats.bytes} B)`,
    );
  }
  for (const tree of trees) {
    const snap = find(all, tree, runtime);
    const change = snap?.change[0];
    if (!snap || !change || snap.changed.length === 0) continue;
    // The limits scale "1% of a first run" by the share the change really rewrote: the
    // larger of its share of files and of bytes (1 of 16 files on the large tree is 6.25%).
    const share = Math.max(change.files / snap.stats.files, change.bytes / snap.stats.bytes);
    const files = `${change.files} file${change.files === 1 ? "" : "s"}`;
    const shareText = `changed ${files}, ${fixed(change.bytes / MiB, 2)} MiB: ` +
      `share ${fixed(100 * share, 2)}%`;
    const judge = (what: string, got: number, first: number, unch: number, unit: string) => {
      const limit = 3 * (share * first + unch);
      const literal = 3 * (0.01 * first + unch);
      const d = unit === "s" ? 3 : 0;
      check(
        got <= limit,
        `${tree}: ${what} after a 1% change ≤ 3 × (share × first + unchanged) (median ` +
          `${fixed(got, d)} ${unit} vs limit ${fixed(limit, d)} ${unit}; ${shareText}; with ` +
          `the literal 1%: limit ${fixed(literal, d)} ${unit}, ${
            got <= literal ? "met" : "missed"
          })`,
      );
    };
    judge(
      "time",
      median(secs(snap.changed)),
      median(secs(snap.first)),
      median(secs(snap.unchanged)),
      "s",
    );
    judge(
      "bytes added",
      median(added(snap.changed)),
      median(added(snap.first)),
      median(added(snap.unchanged)),
      "B",
    );
  }
  return [lines, allPass] as const;
}
