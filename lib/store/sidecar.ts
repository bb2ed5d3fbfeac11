/**
 * Sidecar JSON: its types and its encoding (v2 byte-exact with switchyard-fs 1.0, v3 ours);
 * the one validating reader for v1, v2 and v3 is lib/store/sidecar_reader.ts.
 *
 * v3 may end with two keys of ours that switchyard-fs (which ignores unknown keys) never
 * writes: `change`, why this version was written (lib/store/identity.ts), and
 * `identity`, the stat identity of a file when it was taken (`dev`, `ino`, `mtime_ns`,
 * `ctime_ns` as decimal strings: they overflow a JSON double), against which the next
 * run decides "unchanged" without reading the file.
 *
 * Keys are written in contract order with optional keys omitted, pretty-printed with
 * two spaces and no trailing newline, as serde's `to_writer_pretty` does.
 */

/** The prior state a sidecar records. */
export type PriorKind = "file" | "symlink" | "none";
/** Sidecar schema names. */
export type SchemaName = "backup_meta.v1" | "backup_meta.v2" | "backup_meta.v3";
/** Which schema `snapshot` writes. */
export type SchemaChoice = "v2" | "v3";

/** A sidecar, as read or as about to be written. */
export interface Sidecar {
  schema: SchemaName;
  prior_kind: PriorKind;
  prior_dest?: string;
  mode?: string;
  payload_hash?: string;
  size?: number;
  mtime_ms?: number;
  uid?: number;
  gid?: number;
  created_at?: string;
  run?: number;
  change?: ChangeReason;
  identity?: Identity;
}

/** Why a run wrote a new version of a target (the others are `unchanged`). */
export type ChangeReason =
  | "new"
  | "size"
  | "mtime"
  | "ctime"
  | "ino"
  | "mode"
  | "owner"
  | "link"
  | "kind"
  | "no-identity"
  | "broken-entry"
  | "full";

/** Every ChangeReason, for validation. */
export const CHANGE_REASONS: readonly ChangeReason[] = [
  "new",
  "size",
  "mtime",
  "ctime",
  "ino",
  "mode",
  "owner",
  "link",
  "kind",
  "no-identity",
  "broken-entry",
  "full",
];

/** A file's stat identity when its version was taken (decimal strings). */
export interface Identity {
  dev: string;
  ino: string;
  mtime_ns: string;
  ctime_ns: string;
}

/** What `snapshot` learned about a target, from which a sidecar is built. */
export type Prior =
  | {
    kind: "file";
    mode: number;
    hash: string;
    size: number;
    mtimeMs: number;
    uid: number;
    gid: number;
    identity?: Identity;
  }
  | { kind: "symlink"; dest: string; mtimeMs: number; uid: number; gid: number }
  | { kind: "none" };

let lastDate: Date | undefined;
let lastIso = "";

/** `now.toISOString()`, formatted once per run's Date (every entry of a run shares it). */
function isoOf(now: Date): string {
  if (now !== lastDate) {
    lastDate = now;
    lastIso = now.toISOString();
  }
  return lastIso;
}

/** What a regular file's sidecar records (a `Prior` of kind `file`, without the kind). */
export type FileFacts = Omit<Extract<Prior, { kind: "file" }>, "kind">;

/**
 * Builds the sidecar for a prior state in the chosen schema; `change` (v3 only) says why
 * this version was written. Keys are built in contract order (`encodeSidecar` orders anyway).
 */
export function buildSidecar(
  prior: Prior,
  schema: SchemaChoice,
  run: number,
  now: Date,
  change?: ChangeReason,
): Sidecar {
  if (prior.kind === "file") return buildFileSidecar(prior, schema, run, now, change);
  if (schema === "v2") {
    // Exactly what switchyard-fs writes: v1 for symlinks and absent paths.
    if (prior.kind === "symlink") {
      return { schema: "backup_meta.v1", prior_kind: "symlink", prior_dest: prior.dest };
    }
    return { schema: "backup_meta.v1", prior_kind: "none" };
  }
  const out: Sidecar = { schema: "backup_meta.v3", prior_kind: prior.kind };
  if (prior.kind === "symlink") {
    out.prior_dest = prior.dest;
    out.mtime_ms = Math.floor(prior.mtimeMs);
    out.uid = prior.uid;
    out.gid = prior.gid;
  }
  return withRun(out, run, now, change);
}

/**
 * `buildSidecar` for a regular file, from its facts as a worker reports them. Built by
 * assignment, not spreads: it runs once per file on the workers and again on the main
 * thread (for the version cache), where spreads cost most of its time.
 */
export function buildFileSidecar(
  f: FileFacts,
  schema: SchemaChoice,
  run: number,
  now: Date,
  change?: ChangeReason,
): Sidecar {
  const mode = f.mode.toString(8);
  if (schema === "v2") {
    // Exactly what switchyard-fs writes: v2 for files, with the hash.
    return { schema: "backup_meta.v2", prior_kind: "file", mode, payload_hash: f.hash };
  }
  const out: Sidecar = {
    schema: "backup_meta.v3",
    prior_kind: "file",
    mode,
    payload_hash: f.hash,
    size: f.size,
    mtime_ms: Math.floor(f.mtimeMs),
    uid: f.uid,
    gid: f.gid,
  };
  withRun(out, run, now, change);
  if (f.identity !== undefined) out.identity = f.identity;
  return out;
}

/** Adds v3's run fields to `out`. */
function withRun(out: Sidecar, run: number, now: Date, change: ChangeReason | undefined): Sidecar {
  out.created_at = isoOf(now);
  out.run = run;
  if (change !== undefined) out.change = change;
  return out;
}

const KEY_ORDER = [
  "schema",
  "prior_kind",
  "prior_dest",
  "mode",
  "payload_hash",
  "size",
  "mtime_ms",
  "uid",
  "gid",
  "created_at",
  "run",
  "change",
  "identity",
] as const;

/** Encodes a sidecar: contract key order, two-space indent, no trailing newline. */
export function encodeSidecar(s: Sidecar): string {
  const ordered: Record<string, unknown> = {};
  for (const k of KEY_ORDER) {
    if (s[k] !== undefined) ordered[k] = s[k];
  }
  return JSON.stringify(ordered, null, 2);
}

/** The permission bits (07777) of a sidecar's mode, or undefined when it has none. */
export function permissionBits(s: Sidecar): number | undefined {
  return s.mode === undefined ? undefined : parseInt(s.mode, 8) & 0o7777;
}
