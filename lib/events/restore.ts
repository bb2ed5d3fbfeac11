/**
 * The events of a restore (also a run's rollback): what it did, or would do, to each target.
 * Part of the event vocabulary re-exported by lib/events.ts.
 */
import type { PriorKind } from "../store/sidecar.ts";

/** What a restore did (or would do) to one target. */
export type TargetState =
  | "restored"
  | "removed"
  | "unchanged"
  | "would_restore"
  | "would_remove"
  | "not_restored"
  /** `restore --target`: the entry records an absent target; nothing is written. */
  | "absent";

/** One target of a restore. */
export interface TargetEvent {
  event: TargetState;
  command: "restore";
  path: string;
  kind: PriorKind;
  ts: number;
  unverified?: true;
  /** `restore --target DIR`: where the target is (or would be) written. */
  dest?: string;
}

/** A target created after the run a restore goes back to: left as it is (no `--delete`). */
export interface LeftAloneEvent {
  event: "left_alone";
  command: "restore";
  path: string;
  /** The `--at` TS. */
  ts: number;
}
