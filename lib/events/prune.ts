/**
 * The events of `prune`: an entry, an orphan payload or temp file, and a run record removed
 * (or, dry run, that would be). Part of the event vocabulary re-exported by lib/events.ts.
 */
import type { Why } from "../prune.ts";

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

/** A run whose record prune removed (or, dry run, would remove). */
export interface RunPrunedEvent {
  event: "run_pruned" | "would_prune_run";
  command: "prune";
  ts: number;
  why: Why;
  paths: string[];
  files: string[];
}
