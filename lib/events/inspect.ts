/**
 * The events of the read-only commands: a problem `verify` found, a row and a leftover temp
 * file of `list`, a run record of `runs`. Part of the event vocabulary re-exported by
 * lib/events.ts.
 */
import type { ListState } from "../list.ts";
import type { ProblemState } from "../store/check.ts";
import type { RunRecordJson } from "../store/runs.ts";
import type { PriorKind } from "../store/sidecar.ts";

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

/** One run `runs` lists: every field of its record (lib/store/runs.ts) but `schema`. */
export interface RunEvent extends Omit<RunRecordJson, "schema"> {
  event: "run";
  command: "runs";
  /** The run's TS as local time. */
  time: string;
  /** The record files found, in the order found. */
  records: string[];
}
