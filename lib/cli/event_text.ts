/**
 * The text people read for each event (lib/events.ts), in one place.
 *
 * `textOf` says what an event becomes without `--json`: a result line (stdout, not with
 * `--quiet`), a warning (stderr, not with `--quiet`), an error (stderr, always), or
 * nothing (per-entry events that only log shippers want). `progressText` is the
 * terminal progress line. lib/cli/report.ts decides where each goes; the summary lines
 * are lib/cli/summary_text.ts.
 */
import type {
  ErrorEvent,
  Event,
  ProblemEvent,
  ProgressEvent,
  TargetEvent,
  TargetState,
  WarningEvent,
} from "../events.ts";
import { STATE_TEXT } from "../store/check.ts";
import { plural } from "./size.ts";
import { endText, summaryText } from "./summary_text.ts";
import { changeText } from "./diff_text.ts";
import { snapshotProgressText } from "./progress_text.ts";

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
    case "change":
      return { to: "line", text: changeText(e) };
    case "unchanged":
      // Counted in the summary: a 10,000-file tree must not send 10,000 lines to cron mail.
      return undefined;
    case "restored":
    case "would_restore":
    case "not_restored":
    case "absent":
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

/** The terminal progress line, at most `width` characters for a snapshot's. */
export function progressText(e: ProgressEvent, width = 80): string {
  return e.command === "snapshot"
    ? snapshotProgressText(e, width)
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
  diff: "diff",
  generate: "write",
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
    case "path_absent":
      return `Absent: "${e.path}" (no such file or directory; recorded as absent)`;
    case "path_empty":
      return `Nothing to snapshot in "${e.path}": ${e.detail}`;
    case "exclude_unmatched":
      return `Exclude pattern "${e.pattern}" matched nothing`;
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
  absent: "nothing written for",
};

function targetText(e: TargetEvent): string {
  const what = e.kind === "none" ? `absent in run ${e.ts}` : `${e.kind} from run ${e.ts}`;
  const note = e.unverified ? ", UNVERIFIED: v1 entry without hash (--allow-unverified)" : "";
  const to = e.dest === undefined ? "" : ` to "${e.dest}"`;
  return `${WORDS[e.event]} "${e.path}"${to} (${what}${note})`;
}
