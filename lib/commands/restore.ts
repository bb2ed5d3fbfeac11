/** `snapyard restore`: run lib/restore/restore.ts with the parsed options and summarise. */
import type { CommandContext, Outcome } from "./context.ts";
import { restore, type RestoreSummary } from "../restore/restore.ts";

/** The summary for people. */
export function restoreSummaryLine(s: RestoreSummary): string {
  const runs = s.runs.length === 0
    ? ""
    : ` from run${s.runs.length > 1 ? "s" : ""} ${s.runs.join(", ")}`;
  const unverified = s.unverified > 0 ? ` (${s.unverified} UNVERIFIED)` : "";
  if (s.dryRun) {
    return `restore --dry-run: ${s.restored} would be restored${unverified}, ${s.removed} removed, ` +
      `${s.unchanged} unchanged${runs}` + (s.failed > 0 ? `; ${s.failed} problems` : "") +
      "; nothing changed";
  }
  if (s.failed > 0 && s.restored + s.removed === 0) {
    return `restore aborted: ${s.failed} problem${s.failed > 1 ? "s" : ""}; nothing changed`;
  }
  const pre = s.preSnapshot === undefined
    ? ""
    : `; pre-restore snapshot ${s.preSnapshot} (undo: restore --at ${s.preSnapshot})`;
  const failed = s.failed > 0 ? `; FAILED, ${s.notRestored} not restored` : "";
  return `restore: ${s.restored} restored${unverified}, ${s.removed} removed, ` +
    `${s.unchanged} unchanged${runs}${pre}${failed}`;
}

/** The summary as a JSON event body. */
export function restoreSummaryEvent(s: RestoreSummary): Record<string, unknown> {
  return {
    command: "restore",
    dry_run: s.dryRun,
    restored: s.restored,
    removed: s.removed,
    unchanged: s.unchanged,
    unverified: s.unverified,
    failed: s.failed,
    not_restored: s.notRestored,
    runs: s.runs,
    pre_snapshot: s.preSnapshot ?? null,
    post_snapshot: s.postSnapshot ?? null,
  };
}

/** Restores ctx.paths; the outcome maps to exit 0, 60, 70 or 71. */
export async function restoreCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const s = await restore({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    at: o.at,
    dryRun: o.dryRun,
    preSnapshot: o.preSnapshot ? "required" : "off",
    allowUnverified: o.allowUnverified,
    durable: o.durable,
    schema: o.schema,
    pool: ctx.pool,
    reporter: ctx.reporter,
    io: ctx.io,
  });
  ctx.reporter.summary(restoreSummaryLine(s), restoreSummaryEvent(s));
  return s.outcome;
}
