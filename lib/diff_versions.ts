/**
 * The versions `diff` compares (lib/diff_classify.ts `Version`), read from either side:
 * an entry, through its sidecar (nothing is hashed here; a payload is read only when a
 * recorded hash is missing and the content must be compared), or a live target, by
 * lstat (never followed; a directory in its place is no version of a file or symlink).
 * Also the identity shortcut: a live file whose stat identity equals its entry's
 * (lib/store/identity.ts) holds the recorded bytes, so it is not read.
 */
import { fs } from "./fs/sys.ts";
import { type BPath, fromBytes, fromText, fsPath, toText } from "./fs/bpath.ts";
import { lstatPath, type PathStat } from "./fs/stat.ts";
import { errnoOf, SnapyardError } from "./errors.ts";
import { hashFile } from "./fs/copy_hash.ts";
import type { EntryRef } from "./store/entries.ts";
import { readSidecarFile } from "./store/sidecar_reader.ts";
import { permissionBits, type Sidecar } from "./store/sidecar.ts";
import { changeReason } from "./store/identity.ts";
import type { FileVersion, Version } from "./diff_classify.ts";

/** A version with what it came from: an entry's sidecar, or a live stat (neither: absent). */
export interface Sourced {
  version: Version;
  sidecar?: Sidecar;
  live?: PathStat;
}

/**
 * The version an entry records; `undefined` entry (none selected) is no version: absent.
 * @throws SnapyardError INTEGRITY when its sidecar does not parse, or a file entry without
 * a recorded size has no payload to measure.
 */
export function entryVersion(entry: EntryRef | undefined): Sourced | undefined {
  if (entry === undefined) return undefined;
  const parsed = readSidecarFile(entry.sidecar);
  if (!parsed.ok) {
    throw new SnapyardError("INTEGRITY", `entry ${entry.ts}: ${parsed.reason}`);
  }
  const s = parsed.sidecar;
  const owner = { uid: s.uid, gid: s.gid };
  if (s.prior_kind === "none") return { version: { kind: "absent" }, sidecar: s };
  if (s.prior_kind === "symlink") {
    return { version: { kind: "symlink", text: fromText(s.prior_dest!), ...owner }, sidecar: s };
  }
  const size = s.size ?? payloadSize(entry);
  const version: FileVersion = {
    kind: "file",
    size,
    mode: permissionBits(s),
    ...owner,
    hash: s.payload_hash,
    path: entry.payload,
  };
  return { version, sidecar: s };
}

function payloadSize(entry: EntryRef): number {
  try {
    return fs.lstatSync(fsPath(entry.payload)).size;
  } catch (e) {
    throw new SnapyardError(
      errnoOf(e) === "ENOENT" ? "BACKUP_MISSING" : "INTEGRITY",
      `entry ${entry.ts} records no size and its payload "${toText(entry.payload)}" ` +
        `cannot be measured: ${errnoOf(e) ?? String(e)}`,
    );
  }
}

/**
 * The live version of `target`: absent (also under a parent that is not a directory, or
 * a directory in its place), a file, a symlink or other.
 * @throws the system error of an lstat or readlink that fails otherwise.
 */
export function liveVersion(target: BPath): Sourced {
  let st: PathStat | undefined;
  try {
    st = lstatPath(target);
  } catch (e) {
    // A parent that is a file: the target is absent.
    if (errnoOf(e) !== "ENOTDIR") throw e;
  }
  if (st === undefined || st.kind === "dir") return { version: { kind: "absent" } };
  if (st.kind === "other") return { version: { kind: "other" }, live: st };
  const owner = { uid: st.uid, gid: st.gid };
  if (st.kind === "symlink") {
    const text = fromBytes(fs.readlinkSync(fsPath(target), { encoding: "buffer" }));
    return { version: { kind: "symlink", text, ...owner }, live: st };
  }
  const version: FileVersion = {
    kind: "file",
    size: st.size,
    mode: st.mode & 0o7777,
    ...owner,
    hash: undefined,
    path: target,
  };
  return { version, live: st };
}

/**
 * Whether two files of equal size hold the same bytes: a live file whose stat identity is
 * the one its entry recorded is not read; otherwise each side's hash, recorded or computed.
 * @throws the system error of a file that cannot be hashed (never a guess).
 */
export function sameBytes(older: Sourced, newer: Sourced, buf: Uint8Array): boolean {
  const a = older.version as FileVersion;
  const b = newer.version as FileVersion;
  if (older.sidecar !== undefined && newer.live !== undefined) {
    const cur = { kind: "file" as const, st: newer.live };
    if (changeReason(cur, older.sidecar, undefined, { ignoreInode: false }) === undefined) {
      return true;
    }
  }
  return hashOf(a, buf) === hashOf(b, buf);
}

function hashOf(v: FileVersion, buf: Uint8Array): string {
  return v.hash ?? hashFile(v.path, buf).hash;
}
