/** `snapyard restore`: run lib/restore/restore.ts, its events to the reporter, and summarise. */
import { toText } from "../fs/bpath.ts";
import type { CommandContext, Outcome } from "./context.ts";
import type { RestoreSummaryEvent } from "../events.ts";
import { restore, type RestoreSummary } from "../restore/restore.ts";

/** The summary event of a restore. */
export function restoreSummaryEvent(s: RestoreSummary): RestoreSummaryEvent {
  return {
    event: "summary",
    command: "restore",
    dry_run: s.dryRun,
    restored: s.restored,
    removed: s.removed,
    unchanged: s.unchanged,
    unverified: s.unverified,
    failed: s.failed,
    not_restored: s.notRestored,
    left_alone: s.leftAlone,
    runs: s.runs,
    pre_snapshot: s.preSnapshot ?? null,
    post_snapshot: s.postSnapshot ?? null,
    ...(s.into === undefined ? {} : { target: toText(s.into), absent: s.absent ?? 0 }),
  };
}

/** Restores ctx.paths; the outcome maps to exit 0, 60, 70 or 71. */
export async function restoreCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const r = ctx.reporter;
  const s = await restore({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    at: o.at,
    dryRun: o.dryRun,
    preSnapshot: o.preSnapshot ? "required" : "off",
    allowUnverified: o.allowUnverified,
    deleteNew: o.deleteNew,
    ...(o.into === undefined ? {} : { into: o.into }),
    durable: o.durable,
    schema: o.schema,
    pool: ctx.pool,
    emit: (e) => r.emit(e),
    io: ctx.io,
  });
  r.emit(restoreSummaryEvent(s));
  return s.outcome;
}
