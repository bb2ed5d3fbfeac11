/**
 * The version cache of one entry directory: for each target name, its newest entry's TS
 * and sidecar as last read, stamped with the sidecar file's own stat (lib/fs/stat.ts
 * `stampText`), so an unchanged target costs stats rather than a sidecar read and parse.
 *
 * It is only a cache: the entries stay the truth. A cached sidecar is used only when the
 * directory's newest sidecar for that name has the cached TS and the sidecar file still
 * matches the cached stamp (`matches`): inode, size and mtime to the nanosecond, and a ctime
 * not later than the stamp's (any rewrite or replacement moves the ctime, which no user can
 * set back). The stamp of a sidecar read holds the ctime seen; that of an entry a run
 * committed holds the clock right after the rename (`committed`), since the rename moved the
 * ctime its writer saw. It keeps only what the judgement reads of a sidecar (`Row`),
 * checked when used as the sidecar reader checks it (`fromRow`; the quick judgement checks
 * the fields it compares). A cache that is missing, unreadable, corrupt or stale costs a
 * read, never a wrong verdict. Its file is read and written by lib/store/cache_file.ts.
 */
import type { Identity, SchemaChoice, Sidecar } from "./sidecar.ts";

/** The schema of a version cache file (lib/store/cache_file.ts). */
export const SCHEMA = "snapyard_cache.v2";
const SCHEMAS: readonly Sidecar["schema"][] = [
  "backup_meta.v1",
  "backup_meta.v2",
  "backup_meta.v3",
];
const KINDS: readonly string[] = ["file", "symlink", "none"];
const MODE_RE = /^[0-7]{1,7}$/;
const IDENTITY_RE =
  /^(?:0|[1-9][0-9]{0,19}):(?:0|[1-9][0-9]{0,19}):(?:0|[1-9][0-9]{0,19}):(?:0|[1-9][0-9]{0,19})$/;

/**
 * What a cache row holds of a sidecar: `[schema (1-3), kind, size, mode, uid, gid, run,
 * identity, link]`, only what the unchanged judgement reads (lib/store/identity.ts), missing
 * fields `null`, the identity as `dev:ino:mtime_ns:ctime_ns` (`identityText`).
 */
export type Facts = [
  number,
  Sidecar["prior_kind"],
  number | null,
  string | null,
  number | null,
  number | null,
  number | null,
  string | null,
  string | null,
];

/**
 * A cache row: `[TS, stamp, ...Facts]`. A third of a whole sidecar's text, and arrays
 * parse faster than objects.
 */
export type Row = [number, string, ...Facts];

/** The facts of `sidecar`. */
export function factsOf(sidecar: Sidecar): Facts {
  const id = sidecar.identity;
  return [
    SCHEMAS.indexOf(sidecar.schema) + 1,
    sidecar.prior_kind,
    sidecar.size ?? null,
    sidecar.mode ?? null,
    sidecar.uid ?? null,
    sidecar.gid ?? null,
    sidecar.run ?? null,
    id === undefined ? null : identityText(id),
    sidecar.prior_dest ?? null,
  ];
}

/**
 * The facts of the sidecar lib/store/sidecar.ts `buildFileSidecar` builds for a file a
 * worker copied (`identity` as `identityText`), without building it.
 */
export function fileFacts(
  f: { mode: number; size: number; uid: number; gid: number; identity: string },
  schema: SchemaChoice,
  run: number,
): Facts {
  const mode = f.mode.toString(8);
  // v2 records what switchyard-fs writes: the mode and the hash only.
  if (schema === "v2") return [2, "file", null, mode, null, null, null, null, null];
  return [3, "file", f.size, mode, f.uid, f.gid, run, f.identity, null];
}

/** An identity as a row holds it: `dev:ino:mtime_ns:ctime_ns`. */
export function identityText(id: Identity): string {
  return `${id.dev}:${id.ino}:${id.mtime_ns}:${id.ctime_ns}`;
}

/**
 * One cached newest entry: its TS, the sidecar file's stamp and what the judgement reads
 * of the sidecar. One read from a cache keeps its row and builds the sidecar only when
 * asked: an unchanged file is judged from the row (lib/store/statx_judge.ts).
 */
export class CachedVersion {
  readonly ts: number;
  readonly stamp: string;
  #sidecar: Sidecar | undefined;
  readonly #row: Row;

  private constructor(row: Row, sidecar: Sidecar | undefined) {
    this.ts = row[0];
    this.stamp = row[1];
    this.#row = row;
    this.#sidecar = sidecar;
  }

  /** The version of the sidecar at `ts`, whose file has `stamp`. */
  static of(ts: number, stamp: string, sidecar: Sidecar): CachedVersion {
    return new CachedVersion([ts, stamp, ...factsOf(sidecar)], sidecar);
  }

  /**
   * The version of an entry a run committed: the facts of its sidecar as written, `head` the file's
   * stamp without its ctime (lib/fs/stat.ts `stampHead`), and the clock (whole ms) right
   * after its rename as the latest ctime (the end of that millisecond, in ns): a file
   * changed later has a later ctime, and one changed before has another mtime or size.
   */
  static committed(ts: number, head: string, at: number, facts: Facts): CachedVersion {
    // `at` is a positive whole number of ms, so appending six nines is its last ns.
    return new CachedVersion([ts, `${head}:${at}999999`, ...facts], undefined);
  }

  /**
   * Whether a sidecar file of stamp `live` (`stampText`) is the one this version was read
   * or written as: the same inode, size and mtime, and a ctime not later than the cached one.
   */
  matches(live: string): boolean {
    if (live === this.stamp) return true;
    const cut = live.lastIndexOf(":");
    const cached = this.stamp;
    if (cached.lastIndexOf(":") !== cut || !cached.startsWith(live.slice(0, cut + 1))) {
      return false;
    }
    return decimalAtMost(live.slice(cut + 1), cached.slice(cut + 1));
  }

  /** The version a row holds, or undefined when it is not of the right shape. */
  static fromRow(r: unknown): CachedVersion | undefined {
    if (!Array.isArray(r) || r.length !== 11) return undefined;
    // By index: a run reads thousands of rows, mostly before the JIT has compiled this.
    const ts = r[0], stamp = r[1], schema = r[2], kind = r[3], size = r[4], mode = r[5];
    const uid = r[6], gid = r[7], run = r[8], identity = r[9], link = r[10];
    // Four decimals, as `matches` compares them (a ctime bound above all is never cached).
    if (typeof ts !== "number" || typeof stamp !== "string" || !IDENTITY_RE.test(stamp)) {
      return undefined;
    }
    if (SCHEMAS[(schema as number) - 1] === undefined || !KINDS.includes(kind)) return undefined;
    if (!isCount(size) || !isCount(uid) || !isCount(gid) || !isCount(run)) return undefined;
    if (mode !== null && (typeof mode !== "string" || !MODE_RE.test(mode))) return undefined;
    if (link !== null && typeof link !== "string") return undefined;
    if (kind === "file" && mode === null) return undefined;
    if (kind === "symlink" && link === null) return undefined;
    if (identity !== null && (typeof identity !== "string" || !IDENTITY_RE.test(identity))) {
      return undefined;
    }
    return new CachedVersion(r as Row, undefined);
  }

  /** The recorded kind. */
  get kind(): Sidecar["prior_kind"] {
    return this.#row[3];
  }

  /** The recorded size, when the sidecar has one. */
  get size(): number | undefined {
    return this.#row[4] ?? undefined;
  }

  /** What the judgement reads of the sidecar (built from the row on first use). */
  get sidecar(): Sidecar {
    return this.#sidecar ??= sidecarOf(this.#row);
  }

  /** The row to write. */
  row(): Row {
    return this.#row;
  }
}

/** The sidecar fields a row holds. */
function sidecarOf(row: Row): Sidecar {
  const [, , schema, kind, size, mode, uid, gid, run, identity, link] = row;
  const sidecar: Sidecar = { schema: SCHEMAS[schema - 1]!, prior_kind: kind };
  if (link !== null) sidecar.prior_dest = link;
  if (mode !== null) sidecar.mode = mode;
  if (size !== null) sidecar.size = size;
  if (uid !== null) sidecar.uid = uid;
  if (gid !== null) sidecar.gid = gid;
  if (run !== null) sidecar.run = run;
  if (identity !== null) {
    const [dev, ino, mtime_ns, ctime_ns] = identity.split(":") as [string, string, string, string];
    sidecar.identity = { dev, ino, mtime_ns, ctime_ns };
  }
  return sidecar;
}

/** Whether decimal `a` ≤ decimal `b` (both without leading zeros). */
function decimalAtMost(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a <= b);
}

/** A count a row may hold: null, or a non-negative number. */
function isCount(v: unknown): v is number | null {
  return v === null || (typeof v === "number" && Number.isFinite(v) && v >= 0);
}
