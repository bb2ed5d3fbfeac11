/**
 * Every message that crosses the thread boundary, typed once.
 * Requests carry a batch id; a response answers exactly one request.
 * Errors cross as `{ code, message }`: `code` is a `FailureCode` (lib/errors.ts).
 */
import type { BPath } from "../fs/bpath.ts";
import type { FailureCode } from "../errors.ts";
import type { ChangeReason, SchemaChoice } from "../store/sidecar.ts";

/** What a worker learned copying one regular file, and where it put its sidecar temp. */
export interface FileEntry {
  /** The TS of the entry (the run's, or a later one when that name was taken). */
  ts: number;
  hash: string;
  size: number;
  mtimeMs: number;
  mode: number;
  uid: number;
  gid: number;
  /**
   * The file's stat identity after the copy (what the next run compares against), as
   * `dev:ino:mtime_ns:ctime_ns` (lib/store/cache.ts `identityText`): one string crosses the
   * thread boundary faster than an object, and is what the version cache keeps.
   */
  identity: string;
  sidecarTemp: BPath;
  /**
   * lib/fs/stat.ts `stampHead` of the sidecar temp as written (the version cache's stamp
   * without a rename); undefined when its fstat failed.
   */
  sidecarStamp: string | undefined;
}

/** Copy one regular file into a new payload while hashing it. */
export interface CopyJob {
  src: BPath;
  dir: BPath;
  name: BPath;
  tag: string;
  ts: number;
  /** Why this version is written (the sidecar's `change`). */
  change: ChangeReason;
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
  code: FailureCode;
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
