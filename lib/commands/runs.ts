/**
 * `snapyard runs`: the runs of the PATHs (lib/runs.ts), newest first, as one table
 * (people) or one `run` event per run (`--json`), then a summary. A record that does
 * not parse is reported and makes the exit PARTIAL (3). Takes no lock; reads only.
 */
import { toText } from "../fs/bpath.ts";
import type { CommandContext, Outcome } from "./context.ts";
import type { RunEvent } from "../events.ts";
import { listRuns } from "../runs.ts";
import type { FoundRun } from "../store/run_survey.ts";
import { runRecordJson } from "../store/runs.ts";
import { humanSize } from "../cli/size.ts";
import { localIso, localTime } from "./list.ts";

/** The `run` event of one run: every field of its record (but `schema`), and its files. */
export function runEvent(run: FoundRun): RunEvent {
  const { schema: _schema, ts, ...fields } = runRecordJson(run.record);
  return {
    event: "run",
    command: "runs",
    ts,
    time: localIso(ts),
    ...fields,
    records: run.files.map(toText),
  };
}

/** The table people read: one line per run. */
export function runsTable(runs: readonly FoundRun[]): string[] {
  const cells = runs.map(({ record: r }) => [
    String(r.ts),
    localTime(r.ts),
    r.tag,
    r.outcome === "complete" ? "complete" : `PARTIAL (${r.failed} failed)`,
    String(r.new),
    String(r.unchanged),
    String(r.deleted),
    humanSize(r.bytesAdded),
    r.paths.map(toText).join(" ") + (r.origin === "snapshot" ? "" : ` (${r.origin})`),
  ]);
  const head = ["TS", "TIME", "TAG", "OUTCOME", "NEW", "UNCHANGED", "DELETED", "ADDED", "PATHS"];
  const right = new Set([4, 5, 6, 7]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) =>
    c.map((x, i) => (right.has(i) ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join("  ")
      .trimEnd();
  return [fmt(head), ...cells.map(fmt)];
}

/** Lists the runs of ctx.paths (or of the whole --store); PARTIAL when a record is bad. */
export function runsCommand(ctx: CommandContext): Promise<Outcome> {
  const { tag, store } = ctx.options;
  const r = ctx.reporter;
  const runs: FoundRun[] = [];
  const sum = listRuns({
    paths: ctx.paths,
    tag,
    store,
    onEvent: (e) => {
      if (e.kind === "run") runs.push(e.run);
      else r.emit({ event: "error", command: "runs", path: toText(e.path), reason: e.reason });
    },
  });
  if (runs.length === 0) r.line(`No runs of tag "${tag}" found`);
  else for (const l of runsTable(runs)) r.line(l);
  for (const run of runs) r.emit(runEvent(run));
  r.emit({ event: "summary", command: "runs", runs: sum.runs, errors: sum.errors });
  return Promise.resolve(sum.errors > 0 ? "PARTIAL" : "OK");
}
