/** `snapyard verify`: run lib/verify.ts, report each problem and a summary with throughput. */
import { toText } from "../fs/bpath.ts";
import type { CommandContext, Outcome } from "./context.ts";
import { type Finding, STATE_TEXT, verify, type VerifySummary } from "../verify.ts";

const MiB = 1024 * 1024;

/** One problem for people: state, the file, its target and run, the detail. */
export function findingLine(f: Finding): string {
  const label = STATE_TEXT[f.state];
  const run = f.ts === undefined ? "" : `, run ${f.ts}`;
  const about = f.target === f.path ? "" : ` (target "${toText(f.target)}"${run})`;
  return `${label[0]!.toUpperCase()}${label.slice(1)}: "${toText(f.path)}"${about}: ${f.reason}`;
}

/** The summary for people, with throughput (entries/s, MiB/s hashed). */
export function verifySummaryLine(s: VerifySummary): string {
  const states = Object.entries(s.byState).map(([k, n]) =>
    `${n} ${STATE_TEXT[k as keyof typeof STATE_TEXT]}`
  );
  const secs = Math.max(s.seconds, 1e-6);
  return `verify: ${s.entries} entries, ${s.ok} ok, ${s.problems} problems` +
    (states.length > 0 ? ` (${states.join(", ")})` : "") +
    `; hashed ${s.hashedFiles} files, ${(s.hashedBytes / MiB).toFixed(1)} MiB in ` +
    `${s.seconds.toFixed(2)} s (${Math.round(s.entries / secs)} files/s, ` +
    `${(s.hashedBytes / MiB / secs).toFixed(1)} MiB/s)`;
}

/** Verifies ctx.paths (or the whole --store); INTEGRITY (exit 71) when anything is not ok. */
export async function verifyCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const r = ctx.reporter;
  const s = await verify({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    pool: ctx.pool,
    onFinding: (f) =>
      r.error(findingLine(f), {
        event: "problem",
        state: f.state,
        target: toText(f.target),
        path: toText(f.path),
        ...(f.ts === undefined ? {} : { ts: f.ts }),
        reason: f.reason,
      }),
    onProgress: (s) => r.progress(`verify: ${s.entries} entries, ${s.problems} problems`),
  });
  if (s.entries === 0 && s.problems === 0) {
    r.warn(`No entries of tag "${o.tag}" found`, { event: "warning", reason: "no entries" });
  }
  const secs = Math.max(s.seconds, 1e-6);
  r.summary(verifySummaryLine(s), {
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
  });
  return s.problems > 0 ? "INTEGRITY" : "OK";
}
