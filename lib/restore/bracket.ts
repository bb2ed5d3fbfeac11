/**
 * The snapshots that bracket a restore (lib/restore/restore.ts steps 3 and 5): before, of
 * the targets about to change, so the restore can be undone; after, of the targets
 * restored, so `latest` is the restored state. Each is one snapshot run (lib/snapshot/run.ts)
 * whose per-target events are hidden; `warnIncomplete` is the warning when one falls short
 * and the restore goes on.
 */
import { type BPath, toText } from "../fs/bpath.ts";
import type { Emit } from "../events.ts";
import { reasonOf } from "../errors.ts";
import type { Io } from "../fs/io.ts";
import type { WorkerPool } from "../pool/pool.ts";
import { snapshot } from "../snapshot/run.ts";
import type { SchemaChoice } from "../store/sidecar.ts";

/** What a bracketing snapshot needs of the restore's options. */
export interface BracketOptions {
  tag: string;
  store: BPath | undefined;
  schema: SchemaChoice;
  durable: boolean;
  pool: () => WorkerPool;
  emit: Emit;
  io: Io;
}

/** The run a bracketing snapshot wrote, or the first target it could not save. */
export type PreResult = { ok: true; run: number } | { ok: false; target: BPath; reason: string };

/** Steps 3 and 5: one snapshot run of `targets`; ok only if every one was saved. */
export async function snapshotTargets(
  opts: BracketOptions,
  targets: BPath[],
  origin: "pre-restore" | "post-restore",
): Promise<PreResult> {
  try {
    const s = await snapshot({
      paths: targets,
      tag: opts.tag,
      store: opts.store,
      schema: opts.schema,
      durable: opts.durable,
      pool: opts.pool,
      origin,
      // Its problems and progress are shown, its per-target events are not (a target
      // already equal to its newest entry is not saved again: incremental, like any run).
      emit: opts.emit,
      targetEvents: false,
      io: opts.io,
    });
    const f = s.failures[0];
    if (f !== undefined) return { ok: false, target: f.path, reason: f.reason };
    // A skipped target (a FIFO, socket or device in its place, reported by the walk) has
    // no content to save: replacing it loses nothing, so it does not fail the run.
    return { ok: true, run: s.run };
  } catch (e) {
    return { ok: false, target: targets[0]!, reason: reasonOf(e) };
  }
}

/** The warning for a bracketing snapshot that failed while the restore goes on. */
export function warnIncomplete(
  emit: Emit,
  origin: "pre-restore" | "post-restore",
  failed: { target: BPath; reason: string },
): void {
  emit({
    event: "warning",
    command: "restore",
    what: origin === "pre-restore" ? "pre_snapshot_incomplete" : "post_snapshot_incomplete",
    path: toText(failed.target),
    reason: `${origin} snapshot incomplete: ${failed.reason}`,
    detail: failed.reason,
  });
}
