/**
 * The events of `run`: the snapshot done and COMMAND starting, then COMMAND failing (the
 * rollback starts). `EndFields` (how COMMAND ended) is shared with `run`'s summary. Part of
 * the event vocabulary re-exported by lib/events.ts.
 */

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
