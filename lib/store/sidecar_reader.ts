/**
 * The one validating reader of sidecars, for schemas v1, v2 and v3: parse the JSON, check
 * `schema` and `prior_kind`, then every known field's type, then what each kind requires.
 * Reading fails closed: unparseable JSON, a missing `schema` or `prior_kind`, an unknown
 * kind, or a field of the wrong type is a corrupt entry, never a fallback. Unknown keys are
 * ignored (switchyard-fs does the same).
 */
import { type BPath, toText } from "../fs/bpath.ts";
import { readTextFile } from "../fs/read_text.ts";
import { reasonOf } from "../errors.ts";
import {
  CHANGE_REASONS,
  type ChangeReason,
  type PriorKind,
  type SchemaName,
  type Sidecar,
} from "./sidecar.ts";

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

/** Reads and validates a sidecar file; a read failure is a corrupt/missing result, never a throw. */
export function readSidecarFile(path: BPath): ParseResult {
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    return { ok: false, reason: `cannot read sidecar "${toText(path)}": ${reasonOf(e)}` };
  }
  return parseSidecar(text);
}
