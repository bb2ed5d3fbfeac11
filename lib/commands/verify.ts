/**
 * `snapyard verify`: run lib/verify.ts; each problem and a summary with throughput as
 * events. PATHs with no entry at all (a forgotten `--store`?) are BACKUP_MISSING, each
 * named with the directories searched.
 */
import { toText } from "../fs/bpath.ts";
import { coveringRun, uncovered } from "../store/covering.ts";
import { type AtSpec, searchedText } from "../store/selection.ts";
import type { CommandContext, Outcome } from "./context.ts";
import type { ProblemEvent, VerifySummaryEvent } from "../events.ts";
import { type Finding, verify, type VerifySummary } from "../verify.ts";

const MiB = 1024 * 1024;

/** The event of one problem. */
export function problemEvent(f: Finding): ProblemEvent {
  const e: ProblemEvent = {
    event: "problem",
    command: "verify",
    state: f.state,
    target: toText(f.target),
    path: toText(f.path),
    reason: f.reason,
  };
  if (f.ts !== undefined) e.ts = f.ts;
  return e;
}

/** The summary event, with throughput (entries/s, MiB/s hashed). */
export function verifySummaryEvent(s: VerifySummary): VerifySummaryEvent {
  const secs = Math.max(s.seconds, 1e-6);
  return {
    event: "summary",
    command: "verify",
    entries: s.entries,
    ok: s.ok,
    problems: s.problems,
    states: s.byState,
    hashed_files: s.hashedFiles,
    hashed_bytes: s.hashedBytes,
    seconds: Number(s.seconds.toFixed(3)),
    files_per_s: Math.round(s.entries / secs),
    mib_per_s: Number((s.hashedBytes / MiB / secs).toFixed(1)),
  };
}

const LATEST: AtSpec = { kind: "latest" };

/**
 * Verifies ctx.paths (or the whole --store): INTEGRITY (exit 71) when anything is not ok,
 * BACKUP_MISSING (exit 60) when PATHs were given and not one entry was found, unless the
 * latest complete run of each such PATH saved an empty tree (a warning, exit 0).
 */
export async function verifyCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const r = ctx.reporter;
  const s = await verify({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    pool: ctx.pool,
    onFinding: (f) => r.emit(problemEvent(f)),
    onProgress: (s) =>
      r.emit({ event: "progress", command: "verify", done: s.entries, failed: s.problems }),
  });
  const nothing = s.entries === 0 && s.problems === 0;
  if (nothing && ctx.paths.length > 0) {
    const where = o.store === undefined ? "beside it, without --store" : `in "${toText(o.store)}"`;
    let missing = false;
    for (const p of ctx.paths) {
      // A PATH whose latest complete run saved nothing below it (an empty tree): nothing to
      // check, as restore and diff find nothing to restore or compare (lib/store/covering.ts).
      const unread: string[] = [];
      const run = coveringRun(p, o.tag, o.store, LATEST, (e) => unread.push(e.reason));
      if (run !== undefined) {
        r.emit({
          event: "warning",
          command: "verify",
          what: "no_entries",
          reason: `no entries: its latest run (${run}) saved an empty tree`,
          path: toText(p),
          tag: o.tag,
        });
        continue;
      }
      missing = true;
      const why = [uncovered(LATEST), ...unread].join("; ");
      r.emit({
        event: "error",
        command: "verify",
        path: toText(p),
        code: "BACKUP_MISSING",
        reason: `no entries of tag "${o.tag}" ${where}, and ${why} (looked in ${
          searchedText(p, o.store)
        })`,
      });
    }
    r.emit(verifySummaryEvent(s));
    return missing ? "BACKUP_MISSING" : "OK";
  }
  if (nothing) {
    r.emit({
      event: "warning",
      command: "verify",
      what: "no_entries",
      reason: "no entries",
      tag: o.tag,
    });
  }
  r.emit(verifySummaryEvent(s));
  return s.problems > 0 ? "INTEGRITY" : "OK";
}
