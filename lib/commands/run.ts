/** `snapyard run`: run lib/run.ts with the parsed options and summarise. */
import type { CommandContext, Outcome } from "./context.ts";
import { describeEnd, endFields, runProtected, type RunResult } from "../run.ts";

/** The summary for people. */
export function runSummaryLine(res: RunResult): string {
  const head = `run ${res.snapshot.run}`;
  if (res.end === undefined) return `${head}: snapshot failed; command not run`;
  if (res.rollback === undefined) return `${head}: command ${describeEnd(res.end)}`;
  const b = res.rollback;
  const forensic = b.preSnapshot === undefined
    ? ""
    : `; broken state saved as run ${b.preSnapshot}`;
  const verdict = res.outcome === "COMMAND_FAILED" ? "rolled back" : "ROLLBACK FAILED";
  return `${head}: command ${describeEnd(res.end)}; ${verdict}: ${b.restored} restored, ` +
    `${b.removed} removed, ${b.unchanged} unchanged` +
    (b.notRestored > 0 ? `, ${b.notRestored} not restored` : "") + forensic;
}

/** The summary as a JSON event body. */
export function runSummaryEvent(res: RunResult): Record<string, unknown> {
  const e: Record<string, unknown> = {
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
    });
  }
  return e;
}

/** Runs COMMAND under protection; exit 0, 3 (snapshot failed), 80 (rolled back) or 70. */
export async function runCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const res = await runProtected({
    targets: ctx.paths,
    argv: ctx.argv,
    tag: o.tag,
    store: o.store,
    schema: o.schema,
    exclude: o.exclude,
    durable: o.durable,
    pool: ctx.pool,
    reporter: ctx.reporter,
    io: ctx.io,
  });
  ctx.reporter.summary(runSummaryLine(res), runSummaryEvent(res));
  return res.outcome;
}
