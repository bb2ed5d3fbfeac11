/**
 * The events of a snapshot (also a restore's pre/post snapshot and a run's): one per target
 * saved, unchanged or skipped, and the running counts of the terminal progress line (which
 * `verify` draws too). Part of the event vocabulary re-exported by lib/events.ts.
 */
import type { ChangeReason, PriorKind } from "../store/sidecar.ts";

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

/**
 * A snapshot's running counts for the terminal progress line (lib/snapshot/progress.ts):
 * targets done of those the walk has seen, bytes copied of those queued (`bytes_seen` only
 * when the files queued are measured), seconds since the start, the path last done.
 */
export interface SnapshotProgressEvent {
  event: "progress";
  command: "snapshot";
  files_done: number;
  files_seen: number;
  bytes_done: number;
  bytes_seen?: number;
  failed: number;
  seconds: number;
  path?: string;
}

/** `verify`'s running counts: entries checked, problems found. */
export interface VerifyProgressEvent {
  event: "progress";
  command: "verify";
  done: number;
  failed: number;
}

/** Running counts for the terminal progress line; never written as JSON. */
export type ProgressEvent = SnapshotProgressEvent | VerifyProgressEvent;
