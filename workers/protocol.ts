/**
 * Every message that crosses the thread boundary, typed once.
 * Requests carry a batch id; a response answers exactly one request.
 * Errors cross as `{ code, message }`: `code` is an errno name or one of ours.
 */
import type { BPath } from "../lib/bpath.ts";
import type { FileEntry } from "../lib/file_entry.ts";
import type { SchemaChoice } from "../lib/sidecar.ts";

/** Copy one regular file into a new payload while hashing it. */
export interface CopyJob {
  src: BPath;
  dir: BPath;
  name: BPath;
  tag: string;
  ts: number;
}

/** What every copy job of a run shares: how to write its sidecar temp. */
export interface SidecarSpec {
  schema: SchemaChoice;
  run: number;
}

/** Hash one regular file (never following a symlink). */
export interface HashJob {
  path: BPath;
}

/** A failure, as it crosses the boundary. */
export interface WireError {
  code: string;
  message: string;
}

/** Result of one copy job, in job order. */
export type CopyResult =
  | ({ ok: true } & FileEntry)
  | { ok: false; error: WireError };

/** Result of one hash job, in job order. */
export type HashResult = { ok: true; hash: string; size: number } | { ok: false; error: WireError };

/** Main thread → worker. */
export type WorkerRequest =
  | { kind: "copy"; batch: number; sidecar: SidecarSpec; jobs: CopyJob[] }
  | { kind: "hash"; batch: number; jobs: HashJob[] };

/** Worker → main thread. */
export type WorkerResponse =
  | { kind: "copied"; batch: number; results: CopyResult[] }
  | { kind: "hashed"; batch: number; results: HashResult[] };
