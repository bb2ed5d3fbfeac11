/**
 * The text people read for each event (lib/events.ts), in one place.
 *
 * `textOf` says what an event becomes without `--json`: a result line (stdout, not with
 * `--quiet`), a warning (stderr, not with `--quiet`), an error (stderr, always), or
 * nothing (per-entry events that only log shippers want). `progressText` is the
 * terminal progress line. lib/cli/report.ts decides where each goes.
 */
import type {
  EndFields,
  ErrorEvent,
  Event,
  ListSummaryEvent,
  ProblemEvent,
  ProgressEvent,
  PruneSummaryEvent,
  RestoreSummaryEvent,
  RunSummaryEvent,
  SnapshotSummaryEvent,
  SummaryEvent,
  TargetEvent,
  TargetState,
  VerifySummaryEvent,
  WarningEvent,
} from "../events.ts";
import { STATE_TEXT } from "../verify.ts";
import { humanSize } from "./size.ts";

/** An event's text and its kind of output. */
export interface Text {
  to: "line" | "warn" | "error";
  text: string;
}

/** What `event` shows people; undefined when it shows nothing. */
export function textOf(e: Event): Text | undefined {
  switch (e.event) {
    case "saved":
    case "entry":
    case "temp":
    case "pruned":
    case "progress":
    case "run":
    case "run_pruned":
      return undefined;
    case "skipped":
      return { to: "warn", text: `Skipped "${e.path}": ${e.reason}` };
    case "error":
      return { to: "error", text: errorText(e) };
    case "warning":
      return { to: "warn", text: warningText(e) };
    case "problem":
      return { to: "error", text: problemText(e) };
    case "would_prune":
      return { to: "line", text: `Would prune "${e.target}" entry ${e.ts} (${WHY[e.why]})` };
    case "would_prune_run":
      return { to: "line", text: `Would prune run ${e.ts} (${WHY[e.why]}): its record goes` };
    case "removed":
    case "would_remove":
      if (e.command === "restore") return { to: "line", text: targetText(e) };
      if (e.event === "removed") return undefined;
      return {
        to: "line",
        text: `Would remove ${e.what === "temp" ? "leftover temp file" : "orphan payload"} ` +
          `"${e.path}"`,
      };
    case "left_alone":
      return {
        to: "line",
        text: `left alone "${e.path}" (created after run ${e.ts}; --delete removes it)`,
      };
    case "unchanged":
      // Counted in the summary: a 10,000-file tree must not send 10,000 lines to cron mail.
      return undefined;
    case "restored":
    case "would_restore":
    case "not_restored":
      return { to: "line", text: targetText(e) };
    case "snapshot":
      return {
        to: "line",
        text: `snapshot ${e.run}: ${e.saved} saved; running ${JSON.stringify(e.argv)}`,
      };
    case "command_failed":
      return { to: "error", text: `Command ${endText(e)}: rolling back to run ${e.run}` };
    case "summary":
      return { to: "line", text: summaryText(e) };
  }
}

/** The terminal progress line. */
export function progressText(e: ProgressEvent): string {
  return e.command === "snapshot"
    ? `snapshot: ${e.done} saved, ${e.failed} failed`
    : `verify: ${plural(e.done, "entry", "entries")}, ${plural(e.failed, "problem", "problems")}`;
}

const VERB: Record<ErrorEvent["command"], string> = {
  snapshot: "snapshot",
  restore: "restore",
  list: "list",
  prune: "prune",
  run: "run",
  rollback: "roll back",
  runs: "read run record",
  verify: "verify",
  demo: "run demo",
  snapyard: "run",
};

function errorText(e: ErrorEvent): string {
  if (e.command === "run" && e.path === undefined) {
    return `Not running "${e.program}": the snapshot of run ${e.run} failed for ` +
      plural(e.failed ?? 0, "target", "targets");
  }
  if (e.command === "rollback") {
    return `Cannot roll back run ${e.run}: ${e.missing} of its ` +
      `${plural(e.saved ?? 0, "entry", "entries")} ${e.missing === 1 ? "is" : "are"} gone ` +
      `(deleted with their directory?)`;
  }
  // The error that ended an invocation: its message names what and why.
  if (e.path === undefined) return e.reason;
  return `Cannot ${VERB[e.command]} "${e.path}": ${e.reason}`;
}

function warningText(e: WarningEvent): string {
  switch (e.what) {
    case "no_entries":
      return `No entries of tag "${e.tag}" found`;
    case "pre_snapshot_incomplete":
      return `Pre-restore snapshot incomplete: "${e.path}": ${e.detail}`;
    case "post_snapshot_incomplete":
      return `Post-restore snapshot incomplete: "${e.path}": ${e.detail} ` +
        `(a later restore at latest would select the pre-restore state)`;
    case "signal_ignored":
      return `${e.signal} ignored while rolling back`;
  }
}

/** One problem: state, the file, its target and run, the detail. */
function problemText(e: ProblemEvent): string {
  const label = STATE_TEXT[e.state];
  const run = e.ts === undefined ? "" : `, run ${e.ts}`;
  const about = e.target === e.path ? "" : ` (target "${e.target}"${run})`;
  return `${label[0]!.toUpperCase()}${label.slice(1)}: "${e.path}"${about}: ${e.reason}`;
}

const WHY: Record<string, string> = {
  count: "not kept by the --keep rules",
  age: "older than --max-age",
  "count, age": "not kept by the --keep rules, older than --max-age",
};

const WORDS: Record<TargetState, string> = {
  restored: "restored",
  removed: "removed",
  unchanged: "unchanged",
  would_restore: "would restore",
  would_remove: "would remove",
  not_restored: "NOT restored",
};

function targetText(e: TargetEvent): string {
  const what = e.kind === "none" ? `absent in run ${e.ts}` : `${e.kind} from run ${e.ts}`;
  const note = e.unverified ? ", UNVERIFIED: v1 entry without hash (--allow-unverified)" : "";
  return `${WORDS[e.event]} "${e.path}" (${what}${note})`;
}

/** How COMMAND ended, in words. */
export function endText(end: EndFields): string {
  if (end.exit_code !== undefined) return `exited with code ${end.exit_code}`;
  if (end.signal !== undefined) return `was killed by ${end.signal}`;
  return `could not be started: ${end.spawn_error}`;
}

function summaryText(e: SummaryEvent): string {
  switch (e.command) {
    case "snapshot":
      return snapshotSummary(e);
    case "restore":
      return restoreSummary(e);
    case "verify":
      return verifySummary(e);
    case "list":
      return listSummary(e);
    case "prune":
      return pruneSummary(e);
    case "run":
      return runSummary(e);
    case "runs":
      return `runs: ${plural(e.runs, "run", "runs")}` +
        (e.errors > 0 ? `; ${e.errors} FAILED` : "");
  }
}

function snapshotSummary(s: SnapshotSummaryEvent): string {
  return `snapshot ${s.run}: ${s.saved} saved (${plural(s.files, "file", "files")}, ` +
    `${plural(s.symlinks, "symlink", "symlinks")}, ${s.absent} absent` +
    `${s.deleted > 0 ? `, ${s.deleted} deleted` : ""}; ${humanSize(s.bytes)}), ` +
    `${s.unchanged} unchanged in ${s.seconds.toFixed(2)} s` +
    (s.skipped > 0 ? `, ${s.skipped} skipped` : "") + (s.failed > 0 ? `, ${s.failed} FAILED` : "");
}

function restoreSummary(s: RestoreSummaryEvent): string {
  const runs = s.runs.length === 0
    ? ""
    : ` from run${s.runs.length > 1 ? "s" : ""} ${s.runs.join(", ")}`;
  const unverified = s.unverified > 0 ? ` (${s.unverified} UNVERIFIED)` : "";
  const left = s.left_alone > 0 ? `, ${s.left_alone} left alone (created later)` : "";
  if (s.dry_run) {
    return `restore --dry-run: ${s.restored} would be restored${unverified}, ${s.removed} removed, ` +
      `${s.unchanged} unchanged${left}${runs}` +
      (s.failed > 0 ? `; ${plural(s.failed, "problem", "problems")}` : "") +
      "; nothing changed";
  }
  if (s.failed > 0 && s.restored + s.removed === 0) {
    return `restore aborted: ${s.failed} problem${s.failed > 1 ? "s" : ""}; nothing changed`;
  }
  const pre = s.pre_snapshot === null
    ? ""
    : `; pre-restore snapshot ${s.pre_snapshot} (undo: restore --at ${s.pre_snapshot})`;
  const failed = s.failed > 0 ? `; FAILED, ${s.not_restored} not restored` : "";
  return `restore: ${s.restored} restored${unverified}, ${s.removed} removed, ` +
    `${s.unchanged} unchanged${left}${runs}${pre}${failed}`;
}

/** With throughput (entries/s, MiB/s hashed). */
function verifySummary(s: VerifySummaryEvent): string {
  const states = Object.entries(s.states).map(([k, n]) =>
    `${n} ${STATE_TEXT[k as keyof typeof STATE_TEXT]}`
  );
  return `verify: ${plural(s.entries, "entry", "entries")}, ${s.ok} ok, ` +
    plural(s.problems, "problem", "problems") +
    (states.length > 0 ? ` (${states.join(", ")})` : "") +
    `; hashed ${plural(s.hashed_files, "file", "files")}, ${humanSize(s.hashed_bytes)} in ` +
    `${s.seconds.toFixed(2)} s (${s.files_per_s} files/s, ${s.mib_per_s.toFixed(1)} MiB/s)`;
}

function listSummary(s: ListSummaryEvent): string {
  return `list: ${plural(s.targets, "target", "targets")}, ` +
    `${plural(s.entries, "entry", "entries")}, ` +
    plural(s.orphan_payloads, "orphan payload", "orphan payloads");
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function pruneSummary(s: PruneSummaryEvent): string {
  const verb = s.dry_run ? "would be " : "";
  return `prune${s.dry_run ? " --dry-run" : ""}: ${plural(s.pruned, "entry", "entries")} ` +
    `${verb}pruned, ${s.kept} kept; ` +
    `${plural(s.orphan_payloads, "orphan payload", "orphan payloads")} ` +
    `and ${plural(s.temps, "temp file", "temp files")} ${verb}removed` +
    (s.runs_pruned > 0 ? `; ${plural(s.runs_pruned, "run", "runs")} ${verb}dropped` : "") +
    (s.failed > 0 ? `; ${s.failed} FAILED` : "");
}

function runSummary(s: RunSummaryEvent): string {
  const head = `run ${s.run}`;
  if (!s.command_run) return `${head}: snapshot failed; command not run`;
  if (s.restored === undefined) return `${head}: command ${endText(s)}`;
  const forensic = (s.pre_snapshot ?? null) === null
    ? ""
    : `; broken state saved as run ${s.pre_snapshot}`;
  const verdict = s.rolled_back ? "rolled back" : "ROLLBACK FAILED";
  return `${head}: command ${endText(s)}; ${verdict}: ${s.restored} restored, ` +
    `${s.removed} removed, ${s.unchanged} unchanged` +
    ((s.not_restored ?? 0) > 0 ? `, ${s.not_restored} not restored` : "") + forensic;
}
