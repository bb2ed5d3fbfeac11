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
 * `restore` events). Only `progress` is never written as JSON. docs/cli.md is the contract
 * for every event and field.
 *
 * This file holds what every command shares (`SCHEMA`, `Emit`, the `error` and `warning`
 * events) and the `Event` union; the events of each command family live in lib/events/ and
 * are re-exported here, so importers need only this path.
 */
import type { ErrorCode } from "./errors.ts";
import type { CommandFailedEvent, RunSnapshotEvent } from "./events/run.ts";
import type { ChangeEvent } from "./events/diff.ts";
import type { EntryEvent, ProblemEvent, RunEvent, TempEvent } from "./events/inspect.ts";
import type { PrunedEvent, PruneRemovedEvent, RunPrunedEvent } from "./events/prune.ts";
import type { LeftAloneEvent, TargetEvent } from "./events/restore.ts";
import type { ProgressEvent, SavedEvent, SkippedEvent, UnchangedEvent } from "./events/snapshot.ts";
import type { SummaryEvent } from "./events/summary.ts";

export type { CommandFailedEvent, EndFields, RunSnapshotEvent } from "./events/run.ts";
export type {
  ChangeEvent,
  DiffChange,
  DiffKind,
  DiffSide,
  DiffSummaryEvent,
  DiffWhat,
} from "./events/diff.ts";
export type { EntryEvent, ProblemEvent, RunEvent, TempEvent } from "./events/inspect.ts";
export type { PrunedEvent, PruneRemovedEvent, RunPrunedEvent } from "./events/prune.ts";
export type { LeftAloneEvent, TargetEvent, TargetState } from "./events/restore.ts";
export type {
  ProgressEvent,
  SavedEvent,
  SkippedEvent,
  SnapshotProgressEvent,
  UnchangedEvent,
  VerifyProgressEvent,
} from "./events/snapshot.ts";
export type {
  GenerateSummaryEvent,
  ListSummaryEvent,
  PruneSummaryEvent,
  RestoreSummaryEvent,
  RunsSummaryEvent,
  RunSummaryEvent,
  SnapshotCounts,
  SnapshotSummaryEvent,
  SummaryEvent,
  VerifySummaryEvent,
} from "./events/summary.ts";

/**
 * The version of the `--json` output, in each summary and in the error that ends an
 * invocation; raised when a field changes meaning or goes away (not when one is added).
 */
export const SCHEMA = 1;

/** Where an engine sends its events. */
export type Emit = (e: Event) => void;

/** The commands, in the order help lists them. */
export const COMMANDS = [
  "snapshot",
  "restore",
  "verify",
  "list",
  "prune",
  "run",
  "demo",
  "runs",
  "diff",
  "generate",
] as const;

/** A command: the `command` of the events it emits. */
export type CommandName = (typeof COMMANDS)[number];

/** What failed: a command, or a step of one (`rollback`: a run's rollback as a whole). */
export type ErrorCommand =
  | CommandName
  | "rollback"
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
  | "signal_ignored"
  /** snapshot: a PATH given that does not exist (recorded as absent). */
  | "path_absent"
  /** snapshot: a directory PATH that yielded no target (empty, or all of it excluded). */
  | "path_empty"
  /** snapshot: an exclude pattern that matched nothing in the whole walk. */
  | "exclude_unmatched";

/** Something worth knowing that does not fail the command. */
export interface WarningEvent {
  event: "warning";
  command: "verify" | "restore" | "run" | "snapshot";
  what: WarningWhat;
  reason: string;
  tag?: string;
  path?: string;
  detail?: string;
  signal?: string;
  pattern?: string;
}

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
  | RunPrunedEvent
  | ChangeEvent;
