/**
 * The summary each command emits last (`event: "summary"`), one shape per command, and their
 * union. The Reporter adds `schema` (lib/events.ts `SCHEMA`) when it writes one as JSON.
 */
import type { ProblemState } from "../store/check.ts";
import type { EndFields } from "./run.ts";

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

/** `runs`' summary. */
export interface RunsSummaryEvent {
  event: "summary";
  command: "runs";
  runs: number;
  errors: number;
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
