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

/** Running counts for the terminal progress line; never written as JSON. */
export interface ProgressEvent {
  event: "progress";
  command: "snapshot" | "verify";
  done: number;
  failed: number;
}
