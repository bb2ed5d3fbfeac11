/** `snapyard run`: run lib/run.ts, its events to the reporter, and summarise. */
import { type CommandContext, type Outcome, snapshotSettings } from "./context.ts";
import type { RunSummaryEvent } from "../events.ts";
import { endFields, runProtected, type RunResult } from "../run.ts";

/** The summary event of a run. */
export function runSummaryEvent(res: RunResult): RunSummaryEvent {
  const e: RunSummaryEvent = {
    event: "summary",
    command: "run",
    run: res.snapshot.run,
    command_run: res.end !== undefined,
    rolled_back: res.outcome === "COMMAND_FAILED",
  };
  if (res.end !== undefined) Object.assign(e, endFields(res.end));
  const b = res.rollback;
  if (b !== undefined) {
    Object.assign(e, {
      restored: b.restored,
      removed: b.removed,
      unchanged: b.unchanged,
      failed: b.failed,
      not_restored: b.notRestored,
      pre_snapshot: b.preSnapshot ?? null,
      left: res.left ?? [],
    });
  }
  return e;
}

/** Runs COMMAND under protection; exit 0, 3 (snapshot failed), 80 (rolled back) or 70. */
export async function runCommand(ctx: CommandContext): Promise<Outcome> {
  const r = ctx.reporter;
  const res = await runProtected({
    targets: ctx.paths,
    argv: ctx.argv,
    settings: snapshotSettings(ctx.options),
    pool: ctx.pool,
    emit: (e) => r.emit(e),
    io: ctx.io,
  });
  r.emit(runSummaryEvent(res));
  return res.outcome;
}
