/**
 * What the engines and commands have to say, typed once: one shape per event type.
 *
 * Engines (lib/snapshot/run.ts, lib/restore/restore.ts, lib/run.ts) take an `Emit`
 * callback and never a Reporter; the commands (lib/commands/) hand them the Reporter's
 * `emit`, which writes each event as one JSON line (`--json`) or renders its text
 * (lib/cli/report.ts). Every field holds text or numbers: paths are already decoded
 * (`toText`), so an event is exactly the JSON object written.
 *
 * Every event has `event` (its type) and `command` (what emitted it: the command, or
 * the step of one: a restore's pre-snapshot emits `snapshot` events, a run's rollback
 * `restore` events). Only `progress` is never written as JSON.
 *
 * | event | command | fields (type: meaning) |
 * |---|---|---|
 * | `saved` | snapshot | `path` (string): the target; `kind` ("file" / "symlink" / "none"): what it was; `ts` (number): the entry's TS (the run's, or later when that name was taken); `size` (number): bytes of content (0 for symlinks and absent targets); `hash` (string, files only): SHA-256 of the content |
 * | `skipped` | snapshot | `path` (string): the target; `reason` (string): why it has no entry (a FIFO, socket or device) |
 * | `error` | snapshot, restore, verify, list, prune, run, rollback; any command, or "snapyard" when none is known, for the error that ends an invocation (lib/commands/dispatch.ts `reportFailure`: `reason`, `code`, `exit`, `schema`) | `path` (string, absent for a failure of a whole run): the target or file that failed; `reason` (string): why; `code` (string, restore, verify and an invocation's end): the outcome (INTEGRITY, BACKUP_MISSING, RESTORE_FAILED, USAGE, LOCKED, STORE_UNUSABLE, ...), which decides the exit code; `exit` (number, an invocation's end): the exit code; `schema` (number, an invocation's end): `SCHEMA`; `target` (string, prune only): the target the failed file belongs to; `run` (number, run and rollback): the run's TS; `program` (string, run only): COMMAND, not started; `failed` (number, run only): targets whose snapshot failed; `missing` (number, rollback only): entries of the run that are gone; `saved` (number, rollback only): entries the run saved |
 * | `warning` | verify, restore, run | `what`: "no_entries" (verify found nothing), "pre_snapshot_incomplete" / "post_snapshot_incomplete" (restore went on without it), "signal_ignored" (a signal arrived while rolling back); `reason` (string): in words; `tag` (string, no_entries): the tag looked for; `path` (string, pre/post snapshot): the target whose snapshot failed; `detail` (string, pre/post snapshot): why it failed; `signal` (string, signal_ignored): its name |
 * | `problem` | verify | `state` (string): what is wrong (hash_mismatch, payload_missing, orphan_payload, ...); `target` (string): the target; `path` (string): the file of ours at fault; `ts` (number, when known): the entry's TS; `reason` (string): the detail |
 * | `entry` | list | `target` (string); `ts` (number); `time` (string): the TS as local RFC 3339; `kind` ("file" / "symlink" / "none" / null); `size` (number / null); `hash` (string / null); `state` ("complete" / "payload_missing" / "sidecar_corrupt" / "orphan_payload"); `payload` (string): its path; `sidecar` (string / null): its path; `dest` (string, symlinks): the link text; `reason` (string, corrupt sidecars): why |
 * | `temp` | list | `target` (string); `path` (string): a temp file a crash left behind |
 * | `pruned`, `would_prune` | prune | `target` (string); `ts` (number): the entry; `why` ("count" / "age" / "count, age"): the rule that removes it; `files` (string[]): the files removed |
 * | `removed`, `would_remove` | prune | `what` ("orphan_payload" / "temp"); `target` (string); `path` (string): the file removed |
 * | `restored`, `removed`, `unchanged`, `would_restore`, `would_remove`, `not_restored` | restore | `path` (string): the target; `kind` ("file" / "symlink" / "none"): what its entry recorded; `ts` (number): the entry's TS; `unverified` (true, when so): a v1 entry without hash, restored with --allow-unverified |
 * | `snapshot` | run | `run` (number): the run's TS; `saved`, `skipped` (number): targets; `argv` (string[]): COMMAND and its arguments, about to start |
 * | `command_failed` | run | `run` (number); one of `exit_code` (number), `signal` (string), `spawn_error` (string): how COMMAND ended |
 * | `run` | runs | one run record: `ts`, `time` (local RFC 3339), `tag`, `paths` (string[]), `origin`, `outcome`, `finished_at`, `targets`, `new`, `unchanged`, `deleted`, `failed`, `skipped`, `bytes_added`, `records` (string[]: the record files) |
 * | `run_pruned`, `would_prune_run` | prune | `ts` (number): the run; `why` (as `pruned`); `paths` (string[]): its PATHs; `files` (string[]): its record files removed |
 * | `summary` | each command | the run's counts, last: see `Summary` below |
 * | `progress` | snapshot, verify | `done` (number): entries saved / checked so far; `failed` (number): failures / problems so far. Drawn on a terminal; never written as JSON |
 *
 * Summaries (`event: "summary"`) carry `schema` (`SCHEMA`, added by the Reporter), and, by
 * `command`:
 * - snapshot: `run` (TS), `targets` (= saved + skipped + failed), `saved`, `files`,
 *   `symlinks`, `absent` (saved, by kind), `skipped`, `failed`, `bytes`, `seconds`
 * - restore: `dry_run`, `restored`, `removed`, `unchanged`, `unverified`, `failed`,
 *   `not_restored`, `runs` (TS[]), `pre_snapshot`, `post_snapshot` (TS or null)
 * - verify: `entries`, `ok`, `problems`, `states` ({state: count}), `hashed_files`,
 *   `hashed_bytes`, `seconds`, `files_per_s`, `mib_per_s`
 * - list: `targets`, `entries`, `orphan_payloads`, `errors`
 * - prune: `dry_run`, `targets`, `pruned`, `kept`, `orphan_payloads`, `temps`, `runs_kept`,
 *   `runs_pruned`, `failed`
 * - runs: `runs`, `errors`
 * - run: `run`, `command_run`, `rolled_back`, how COMMAND ended (as in `command_failed`)
 *   and, after a rollback, `restored`, `removed`, `unchanged`, `failed`, `not_restored`,
 *   `pre_snapshot` (TS or null)
 */
import type { ErrorCode } from "./errors.ts";
import type { ListState } from "./list.ts";
import type { Why } from "./prune.ts";
import type { ProblemState } from "./store/check.ts";
import type { ChangeReason, PriorKind } from "./store/sidecar.ts";
import type { RunRecord } from "./store/runs.ts";

/**
 * The version of the `--json` output, in each summary and in the error that ends an
 * invocation; raised when a field changes meaning or goes away (not when one is added).
 */
export const SCHEMA = 1;

/** Where an engine sends its events. */
export type Emit = (e: Event) => void;

/** One entry committed by a snapshot. */
export interface SavedEvent {
  event: "saved";
  command: "snapshot";
  path: string;
  kind: PriorKind;
  ts: number;
  size: number;
  hash?: string;
  /** Why the target counted as changed (lib/store/identity.ts). */
  change: ChangeReason;
}

/** A target equal to its newest complete entry: no new entry (its TS is `ts`). */
export interface UnchangedEvent {
  event: "unchanged";
  command: "snapshot";
  path: string;
  kind: PriorKind;
  ts: number;
}

/** A target the walk skipped (no content to save). */
export interface SkippedEvent {
  event: "skipped";
  command: "snapshot";
  path: string;
  reason: string;
}

/** What failed: a command, or a step of one (`rollback`: a run's rollback as a whole). */
export type ErrorCommand =
  | "snapshot"
  | "restore"
  | "verify"
  | "list"
  | "prune"
  | "run"
  | "rollback"
  | "runs"
  | "demo"
  /** An invocation that failed before its command was known (a usage error). */
  | "snapyard";

/** A failure: of one target or file (`path`), or of a whole run (run, rollback). */
export interface ErrorEvent {
  event: "error";
  command: ErrorCommand;
  path?: string;
  reason: string;
  code?: ErrorCode;
  target?: string;
  run?: number;
  program?: string;
  failed?: number;
  missing?: number;
  saved?: number;
  exit?: number;
  schema?: number;
}

/** What a warning is about. */
export type WarningWhat =
  | "no_entries"
  | "pre_snapshot_incomplete"
  | "post_snapshot_incomplete"
  | "signal_ignored";

/** Something worth knowing that does not fail the command. */
export interface WarningEvent {
  event: "warning";
  command: "verify" | "restore" | "run";
  what: WarningWhat;
  reason: string;
  tag?: string;
  path?: string;
  detail?: string;
  signal?: string;
}

/** A problem `verify` found. */
export interface ProblemEvent {
  event: "problem";
  command: "verify";
  state: ProblemState;
  target: string;
  path: string;
  ts?: number;
  reason: string;
}

/** One row of `list`. */
export interface EntryEvent {
  event: "entry";
  command: "list";
  target: string;
  ts: number;
  time: string;
  kind: PriorKind | null;
  size: number | null;
  hash: string | null;
  state: ListState;
  payload: string;
  sidecar: string | null;
  dest?: string;
  reason?: string;
}

/** A leftover temp file `list` found. */
export interface TempEvent {
  event: "temp";
  command: "list";
  target: string;
  path: string;
}

/** An entry prune removed (or, dry run, would remove). */
export interface PrunedEvent {
  event: "pruned" | "would_prune";
  command: "prune";
  target: string;
  ts: number;
  why: Why;
  files: string[];
}

/** An orphan payload or temp file prune removed (or, dry run, would remove). */
export interface PruneRemovedEvent {
  event: "removed" | "would_remove";
  command: "prune";
  what: "orphan_payload" | "temp";
  target: string;
  path: string;
}

/** What a restore did (or would do) to one target. */
export type TargetState =
  | "restored"
  | "removed"
  | "unchanged"
  | "would_restore"
  | "would_remove"
  | "not_restored";

/** One target of a restore. */
export interface TargetEvent {
  event: TargetState;
  command: "restore";
  path: string;
  kind: PriorKind;
  ts: number;
  unverified?: true;
}

/** A target created after the run a restore goes back to: left as it is (no `--delete`). */
export interface LeftAloneEvent {
  event: "left_alone";
  command: "restore";
  path: string;
  /** The `--at` TS. */
  ts: number;
}

/** `run`: the snapshot is done and COMMAND starts. */
export interface RunSnapshotEvent {
  event: "snapshot";
  command: "run";
  run: number;
  saved: number;
  skipped: number;
  argv: string[];
}

/** How COMMAND ended, as event fields (exactly one is set). */
export interface EndFields {
  exit_code?: number;
  signal?: string;
  spawn_error?: string;
}

/** `run`: COMMAND failed; the rollback starts. */
export interface CommandFailedEvent extends EndFields {
  event: "command_failed";
  command: "run";
  run: number;
}

/** Running counts for the terminal progress line; never written as JSON. */
export interface ProgressEvent {
  event: "progress";
  command: "snapshot" | "verify";
  done: number;
  failed: number;
}

/** `snapshot`'s summary. */
export interface SnapshotSummaryEvent {
  event: "summary";
  command: "snapshot";
  run: number;
  targets: number;
  saved: number;
  files: number;
  symlinks: number;
  absent: number;
  unchanged: number;
  deleted: number;
  skipped: number;
  failed: number;
  bytes: number;
  seconds: number;
}

/** `restore`'s summary. */
export interface RestoreSummaryEvent {
  event: "summary";
  command: "restore";
  dry_run: boolean;
  restored: number;
  removed: number;
  unchanged: number;
  unverified: number;
  failed: number;
  not_restored: number;
  left_alone: number;
  runs: number[];
  pre_snapshot: number | null;
  post_snapshot: number | null;
}

/** `verify`'s summary. */
export interface VerifySummaryEvent {
  event: "summary";
  command: "verify";
  entries: number;
  ok: number;
  problems: number;
  states: Partial<Record<ProblemState, number>>;
  hashed_files: number;
  hashed_bytes: number;
  seconds: number;
  files_per_s: number;
  mib_per_s: number;
}

/** `list`'s summary. */
export interface ListSummaryEvent {
  event: "summary";
  command: "list";
  targets: number;
  entries: number;
  orphan_payloads: number;
  errors: number;
}

/** `prune`'s summary. */
export interface PruneSummaryEvent {
  event: "summary";
  command: "prune";
  dry_run: boolean;
  targets: number;
  pruned: number;
  kept: number;
  orphan_payloads: number;
  temps: number;
  runs_kept: number;
  runs_pruned: number;
  failed: number;
}

/** `run`'s summary. */
export interface RunSummaryEvent extends EndFields {
  event: "summary";
  command: "run";
  run: number;
  command_run: boolean;
  rolled_back: boolean;
  restored?: number;
  removed?: number;
  unchanged?: number;
  failed?: number;
  not_restored?: number;
  pre_snapshot?: number | null;
}

/** The last event of every command. */
export type SummaryEvent =
  | SnapshotSummaryEvent
  | RestoreSummaryEvent
  | VerifySummaryEvent
  | ListSummaryEvent
  | PruneSummaryEvent
  | RunSummaryEvent
  | RunsSummaryEvent;

/** Every event. */
export type Event =
  | SavedEvent
  | UnchangedEvent
  | LeftAloneEvent
  | SkippedEvent
  | ErrorEvent
  | WarningEvent
  | ProblemEvent
  | EntryEvent
  | TempEvent
  | PrunedEvent
  | PruneRemovedEvent
  | TargetEvent
  | RunSnapshotEvent
  | CommandFailedEvent
  | ProgressEvent
  | SummaryEvent
  | RunEvent
  | RunPrunedEvent;

/** One run `runs` lists: every field of its record. */
export interface RunEvent {
  event: "run";
  command: "runs";
  ts: number;
  time: string;
  tag: string;
  paths: string[];
  origin: RunRecord["origin"];
  outcome: RunRecord["outcome"];
  finished_at: number;
  targets: number;
  new: number;
  unchanged: number;
  deleted: number;
  failed: number;
  skipped: number;
  bytes_added: number;
  records: string[];
}

/** `runs`' summary. */
export interface RunsSummaryEvent {
  event: "summary";
  command: "runs";
  runs: number;
  errors: number;
}

/** A run whose record prune removed (or, dry run, would remove). */
export interface RunPrunedEvent {
  event: "run_pruned" | "would_prune_run";
  command: "prune";
  ts: number;
  why: Why;
  paths: string[];
  files: string[];
}
