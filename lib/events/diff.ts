/**
 * The events of `diff`: one per target that differs between the two sides, and the summary.
 * Part of the event vocabulary re-exported by lib/events.ts.
 */

/** What a target's version is on one side: no version or absent is `null`. */
export type DiffKind = "file" | "symlink" | "other";

/** How a target differs: present only on the newer side, only on the older, or on both. */
export type DiffChange = "added" | "removed" | "changed";

/** What changed of a target present on both sides. */
export type DiffWhat = "content" | "mode" | "owner" | "link" | "kind";

/** One side of a diff: an `--at` selection (a run's TS, latest, previous) or the live tree. */
export type DiffSide = number | "latest" | "previous" | "live";

/** One target that differs (unchanged targets have no event, only a count). */
export interface ChangeEvent {
  event: "change";
  command: "diff";
  path: string;
  change: DiffChange;
  /** Its kind on the older side (`null`: absent or no version). */
  before: DiffKind | null;
  /** Its kind on the newer side (`null`: absent or no version). */
  after: DiffKind | null;
  /** For `changed`: what differs, in this order; empty for `added` and `removed`. */
  what: DiffWhat[];
}

/** `diff`'s summary. */
export interface DiffSummaryEvent {
  event: "summary";
  command: "diff";
  from: DiffSide;
  to: DiffSide;
  targets: number;
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  errors: number;
}
