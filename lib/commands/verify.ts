/**
 * `snapyard verify`: run lib/verify.ts; each problem and a summary with throughput as
 * events. PATHs with no entry at all (a forgotten `--store`?) are BACKUP_MISSING, each
 * named with the directories searched.
 */
import { toText } from "../fs/bpath.ts";
import { searchedText } from "../store/selection.ts";
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

/**
 * Verifies ctx.paths (or the whole --store): INTEGRITY (exit 71) when anything is not ok,
 * BACKUP_MISSING (exit 60) when PATHs were given and not one entry was found.
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
    for (const p of ctx.paths) {
      r.emit({
        event: "error",
        command: "verify",
        path: toText(p),
        code: "BACKUP_MISSING",
        reason: `no entries of tag "${o.tag}" ${where} (looked in ${searchedText(p, o.store)})`,
      });
    }
    r.emit(verifySummaryEvent(s));
    return "BACKUP_MISSING";
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
