/** `snapyard snapshot`: run the engine, its events to the reporter, and summarise. */
import { type CommandContext, type Outcome, snapshotSettings } from "./context.ts";
import type { SnapshotSummaryEvent } from "../events.ts";
import { snapshot, type SnapshotSummary } from "../snapshot/run.ts";

/** The summary event of a snapshot run. */
export function summaryEvent(s: SnapshotSummary): SnapshotSummaryEvent {
  return {
    event: "summary",
    command: "snapshot",
    run: s.run,
    targets: s.targets,
    saved: s.files + s.symlinks + s.absent + s.deleted,
    files: s.files,
    symlinks: s.symlinks,
    absent: s.absent,
    unchanged: s.unchanged,
    deleted: s.deleted,
    skipped: s.skipped,
    failed: s.failed,
    bytes: s.bytes,
    seconds: Number(s.seconds.toFixed(3)),
  };
}

/** Snapshots ctx.paths as one run; PARTIAL (exit 3) when any target failed. */
export async function snapshotCommand(ctx: CommandContext): Promise<Outcome> {
  const r = ctx.reporter;
  const s = await snapshot({
    ...snapshotSettings(ctx.options),
    paths: ctx.paths,
    pool: ctx.pool,
    measure: r.showsProgress,
    emit: (e) => r.emit(e),
    targetEvents: r.mode === "json",
    io: ctx.io,
  });
  r.emit(summaryEvent(s));
  return s.failed > 0 ? "PARTIAL" : "OK";
}
