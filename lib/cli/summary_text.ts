/**
 * The line each command's summary (`event: "summary"`) becomes without `--json`: one
 * function per command, chosen by `summaryText`; and how a `run`'s COMMAND ended, in words
 * (also in its `command_failed` line). lib/cli/event_text.ts calls it.
 */
import type {
  EndFields,
  ListSummaryEvent,
  PruneSummaryEvent,
  RestoreSummaryEvent,
  RunSummaryEvent,
  SnapshotSummaryEvent,
  SummaryEvent,
  VerifySummaryEvent,
} from "../events.ts";
import { STATE_TEXT } from "../store/check.ts";
import { humanSize, plural } from "./size.ts";
import { diffSummaryText } from "./diff_text.ts";

/** The summary line of `e`. */
export function summaryText(e: SummaryEvent): string {
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
    case "diff":
      return diffSummaryText(e);
    case "runs":
      return `runs: ${plural(e.runs, "run", "runs")}` +
        (e.errors > 0 ? `; ${e.errors} FAILED` : "");
    case "generate":
      return `generate: ${plural(e.files.length, "file", "files")} written` +
        (e.failed > 0 ? `, ${e.failed} FAILED` : "") +
        e.files.map((f) => `\n  ${f}`).join("");
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
  const into = s.target === undefined ? "" : ` under "${s.target}" (${s.absent} absent)`;
  if (s.dry_run) {
    return `restore --dry-run: ${s.restored} would be restored${unverified}, ${s.removed} removed, ` +
      `${s.unchanged} unchanged${into}${left}${runs}` +
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
    `${s.unchanged} unchanged${into}${left}${runs}${pre}${failed}`;
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
    ((s.not_restored ?? 0) > 0 ? `, ${s.not_restored} not restored` : "") + forensic +
    leftText(s.left ?? []);
}

/** How many paths of a list the summary line names. */
const LEFT_SHOWN = 10;

/** `run`'s files left in place after a rollback: counted, the first few named. */
function leftText(left: readonly string[]): string {
  if (left.length === 0) return "";
  const shown = left.slice(0, LEFT_SHOWN).map((p) => `"${p}"`).join(", ");
  const more = left.length > LEFT_SHOWN
    ? `, and ${left.length - LEFT_SHOWN} more (see --json)`
    : "";
  return `; left in place: ${plural(left.length, "file", "files")} created by COMMAND: ` +
    shown + more;
}

/** How COMMAND ended, in words. */
export function endText(end: EndFields): string {
  if (end.exit_code !== undefined) return `exited with code ${end.exit_code}`;
  if (end.signal !== undefined) return `was killed by ${end.signal}`;
  return `could not be started: ${end.spawn_error}`;
}
