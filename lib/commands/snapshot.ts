/** `snapyard snapshot`: run the engine and summarise. */
import type { CommandContext, Outcome } from "./context.ts";
import { snapshot, type SnapshotSummary } from "../snapshot/run.ts";

const MiB = 1024 * 1024;

/** A one-line summary of a snapshot run. */
export function summaryLine(s: SnapshotSummary): string {
  const saved = s.files + s.symlinks + s.absent;
  return `snapshot ${s.run}: ${saved} saved (${s.files} files, ${s.symlinks} symlinks, ` +
    `${s.absent} absent; ${(s.bytes / MiB).toFixed(1)} MiB) in ${s.seconds.toFixed(2)} s` +
    (s.skipped > 0 ? `, ${s.skipped} skipped` : "") + (s.failed > 0 ? `, ${s.failed} FAILED` : "");
}

/** The summary as a JSON event body. */
export function summaryEvent(command: string, s: SnapshotSummary): Record<string, unknown> {
  return {
    command,
    run: s.run,
    files: s.files,
    symlinks: s.symlinks,
    absent: s.absent,
    skipped: s.skipped,
    failed: s.failed,
    bytes: s.bytes,
    seconds: Number(s.seconds.toFixed(3)),
  };
}

/** Snapshots ctx.paths as one run; PARTIAL (exit 3) when any target failed. */
export async function snapshotCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const s = await snapshot({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    schema: o.schema,
    exclude: o.exclude,
    durable: o.durable,
    pool: ctx.pool(),
    reporter: ctx.reporter,
    io: ctx.io,
  });
  ctx.reporter.summary(summaryLine(s), summaryEvent("snapshot", s));
  return s.failed > 0 ? "PARTIAL" : "OK";
}
