/**
 * The summary each command emits last (`event: "summary"`), one shape per command, and their
 * union. The Reporter adds `schema` (lib/events.ts `SCHEMA`) when it writes one as JSON.
 */
import type { ProblemState } from "../store/check.ts";
import type { EndFields } from "./run.ts";
import type { DiffSummaryEvent } from "./diff.ts";

/** The counts of a snapshot run (lib/snapshot/staging.ts `SnapshotSummary` holds them too). */
export interface SnapshotCounts {
  /** The run's TS. */
  run: number;
  /** Targets the walk found: each is saved (by kind), unchanged, skipped or failed. */
  targets: number;
  files: number;
  symlinks: number;
  absent: number;
  /** Targets equal to their newest complete entry: no new entry. */
  unchanged: number;
  /** Targets below a directory PATH that vanished since their newest entry: a tombstone each. */
  deleted: number;
  skipped: number;
  failed: number;
  bytes: number;
  seconds: number;
}

/** `snapshot`'s summary. */
export interface SnapshotSummaryEvent extends SnapshotCounts {
  event: "summary";
  command: "snapshot";
  /** files + symlinks + absent + deleted. */
  saved: number;
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
  /** `--target DIR` only: DIR, and the entries that recorded an absent target. */
  target?: string;
  absent?: number;
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
  /** After a rollback: files and symlinks COMMAND created below a directory target, left. */
  left?: string[];
}

/** `runs`' summary. */
export interface RunsSummaryEvent {
  event: "summary";
  command: "runs";
  runs: number;
  errors: number;
}

/** `generate`'s summary: the files written. */
export interface GenerateSummaryEvent {
  event: "summary";
  command: "generate";
  files: string[];
  failed: number;
}

/** The last event of every command. */
export type SummaryEvent =
  | SnapshotSummaryEvent
  | RestoreSummaryEvent
  | VerifySummaryEvent
  | ListSummaryEvent
  | PruneSummaryEvent
  | RunSummaryEvent
  | RunsSummaryEvent
  | DiffSummaryEvent
  | GenerateSummaryEvent;
