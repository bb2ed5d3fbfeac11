/**
 * Sidecar JSON: encoding (v2 byte-exact with switchyard-fs 1.0, v3 ours) and one
 * validating reader for v1, v2 and v3.
 *
 * v3 may end with two keys of ours that switchyard-fs (which ignores unknown keys) never
 * writes: `change`, why this version was written (lib/store/identity.ts), and
 * `identity`, the stat identity of a file when it was taken (`dev`, `ino`, `mtime_ns`,
 * `ctime_ns` as decimal strings: they overflow a JSON double), against which the next
 * run decides "unchanged" without reading the file.
 *
 * Keys are written in contract order with optional keys omitted, pretty-printed with
 * two spaces and no trailing newline, as serde's `to_writer_pretty` does.
 * Reading fails closed: unparseable JSON, a missing `schema` or `prior_kind`, an
 * unknown kind, or a field of the wrong type is a corrupt entry, never a fallback.
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

/**
 * Builds the sidecar for a prior state in the chosen schema; `change` (v3 only) says why
 * this version was written.
 */
export function buildSidecar(
  prior: Prior,
  schema: SchemaChoice,
  run: number,
  now: Date,
  change?: ChangeReason,
): Sidecar {
  if (schema === "v2") {
    // Exactly what switchyard-fs writes: v2 for files (with hash), v1 otherwise.
    if (prior.kind === "file") {
      return {
        schema: "backup_meta.v2",
        prior_kind: "file",
        mode: prior.mode.toString(8),
        payload_hash: prior.hash,
      };
    }
    if (prior.kind === "symlink") {
      return { schema: "backup_meta.v1", prior_kind: "symlink", prior_dest: prior.dest };
    }
    return { schema: "backup_meta.v1", prior_kind: "none" };
  }
  const created_at = now.toISOString();
  if (prior.kind === "file") {
    return {
      schema: "backup_meta.v3",
      prior_kind: "file",
      mode: prior.mode.toString(8),
      payload_hash: prior.hash,
      size: prior.size,
      mtime_ms: Math.floor(prior.mtimeMs),
      uid: prior.uid,
      gid: prior.gid,
      created_at,
      run,
      ...(change === undefined ? {} : { change }),
      ...(prior.identity === undefined ? {} : { identity: prior.identity }),
    };
  }
  if (prior.kind === "symlink") {
    return {
      schema: "backup_meta.v3",
      prior_kind: "symlink",
      prior_dest: prior.dest,
      mtime_ms: Math.floor(prior.mtimeMs),
      uid: prior.uid,
      gid: prior.gid,
      created_at,
      run,
      ...(change === undefined ? {} : { change }),
    };
  }
  return {
    schema: "backup_meta.v3",
    prior_kind: "none",
    created_at,
    run,
    ...(change === undefined ? {} : { change }),
  };
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

/** The result of reading a sidecar. */
export type ParseResult = { ok: true; sidecar: Sidecar } | { ok: false; reason: string };

const SCHEMAS: readonly string[] = ["backup_meta.v1", "backup_meta.v2", "backup_meta.v3"];
const KINDS: readonly string[] = ["file", "symlink", "none"];
const HASH_RE = /^[0-9a-f]{64}$/;
const MODE_RE = /^[0-7]{1,7}$/;
const DECIMAL_RE = /^(0|[1-9][0-9]{0,19})$/;
const IDENTITY_KEYS = ["dev", "ino", "mtime_ns", "ctime_ns"] as const;

function fail(reason: string): ParseResult {
  return { ok: false, reason: `sidecar corrupt: ${reason}` };
}

/** Reads and validates a sidecar of schema v1, v2 or v3. Unknown keys are ignored. */
export function parseSidecar(text: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (_e) {
    // Unparseable JSON is a corrupt entry, reported as such.
    return fail("not valid JSON");
  }
  return validateSidecar(raw);
}

/** Validates a sidecar already parsed from JSON (e.g. kept in lib/store/cache.ts). */
export function validateSidecar(raw: unknown): ParseResult {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return fail("not an object");
  const o = raw as Record<string, unknown>;
  if (typeof o.schema !== "string") return fail("missing schema");
  if (!SCHEMAS.includes(o.schema)) return fail(`unknown schema "${o.schema}"`);
  if (typeof o.prior_kind !== "string") return fail("missing prior_kind");
  if (!KINDS.includes(o.prior_kind)) return fail(`unknown prior_kind "${o.prior_kind}"`);
  const s: Sidecar = { schema: o.schema as SchemaName, prior_kind: o.prior_kind as PriorKind };
  for (const k of ["prior_dest", "mode", "payload_hash", "created_at"] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== "string") return fail(`${k} is not a string`);
    s[k] = v;
  }
  for (const k of ["size", "mtime_ms", "uid", "gid", "run"] as const) {
    const v = o[k];
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      return fail(`${k} is not a non-negative number`);
    }
    s[k] = v;
  }
  if (o.change !== undefined) {
    if (!CHANGE_REASONS.includes(o.change as ChangeReason)) {
      return fail(`unknown change "${String(o.change)}"`);
    }
    s.change = o.change as ChangeReason;
  }
  if (o.identity !== undefined) {
    const id = o.identity;
    if (typeof id !== "object" || id === null || Array.isArray(id)) {
      return fail("identity is not an object");
    }
    const rec = id as Record<string, unknown>;
    for (const k of IDENTITY_KEYS) {
      const v = rec[k];
      if (typeof v !== "string" || !DECIMAL_RE.test(v)) {
        return fail(`identity.${k} is not a decimal string`);
      }
    }
    s.identity = {
      dev: rec.dev as string,
      ino: rec.ino as string,
      mtime_ns: rec.mtime_ns as string,
      ctime_ns: rec.ctime_ns as string,
    };
  }
  if (s.prior_kind === "symlink" && s.prior_dest === undefined) {
    return fail("symlink without prior_dest");
  }
  if (s.prior_kind === "file") {
    if (s.mode === undefined) return fail("file without mode");
    if (!MODE_RE.test(s.mode)) return fail(`mode "${s.mode}" is not octal`);
    if (s.schema !== "backup_meta.v1" && s.payload_hash === undefined) {
      return fail(`${s.schema} file without payload_hash`);
    }
  }
  if (s.payload_hash !== undefined && !HASH_RE.test(s.payload_hash)) {
    return fail("payload_hash is not 64 lowercase hex digits");
  }
  return { ok: true, sidecar: s };
}

/** The permission bits (07777) of a sidecar's mode, or undefined when it has none. */
export function permissionBits(s: Sidecar): number | undefined {
  return s.mode === undefined ? undefined : parseInt(s.mode, 8) & 0o7777;
}
