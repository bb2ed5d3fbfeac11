/**
 * The judgement of `diff` for one target: how its version on the older side and on the
 * newer side differ. Pure: the versions come from lib/diff_versions.ts, and whether two
 * files hold the same bytes is asked of the caller (`sameContent`), which hashes only when
 * it must.
 *
 * Order: absent on both → unchanged; on one side only → added or removed; kinds differ →
 * changed (kind) and nothing else is compared; then, in the order reported: content (a
 * file's size, then its bytes), mode, owner, link text.
 */
import type { BPath } from "./fs/bpath.ts";
import type { DiffChange, DiffKind, DiffWhat } from "./events.ts";

/** A regular file's version: recorded by an entry, or found in the live tree. */
export interface FileVersion {
  kind: "file";
  size: number;
  /** Permission bits (07777); undefined when not recorded (v1 sidecars). */
  mode: number | undefined;
  uid: number | undefined;
  gid: number | undefined;
  /** The SHA-256 when known without reading (an entry's recorded hash). */
  hash: string | undefined;
  /** The file to hash when the hash is needed: the payload, or the live file. */
  path: BPath;
}

/** A target's version on one side. */
export type Version =
  | { kind: "absent" }
  /** Live only: a FIFO, socket or device in the target's place. */
  | { kind: "other" }
  | { kind: "symlink"; text: BPath; uid: number | undefined; gid: number | undefined }
  | FileVersion;

/** How one target differs. */
export type Verdict =
  | { change: "unchanged" }
  | { change: Exclude<DiffChange, "changed"> }
  | { change: "changed"; what: DiffWhat[] };

/** The kind an event reports for a version (`null`: absent). */
export function kindOf(v: Version): DiffKind | null {
  return v.kind === "absent" ? null : v.kind;
}

/**
 * How `newer` differs from `older`. `sameContent` is asked only for two files of equal size.
 * @throws whatever `sameContent` throws (a file that cannot be hashed).
 */
export function classify(
  older: Version,
  newer: Version,
  sameContent: (a: FileVersion, b: FileVersion) => boolean,
): Verdict {
  if (older.kind === "absent") return { change: newer.kind === "absent" ? "unchanged" : "added" };
  if (newer.kind === "absent") return { change: "removed" };
  if (older.kind !== newer.kind) return { change: "changed", what: ["kind"] };
  const what: DiffWhat[] = [];
  if (older.kind === "file" && newer.kind === "file") {
    if (older.size !== newer.size || !sameContent(older, newer)) what.push("content");
    if (differs(older.mode, newer.mode)) what.push("mode");
  }
  if (older.kind !== "other" && newer.kind !== "other") {
    if (differs(older.uid, newer.uid) || differs(older.gid, newer.gid)) what.push("owner");
  }
  if (older.kind === "symlink" && newer.kind === "symlink" && older.text !== newer.text) {
    what.push("link");
  }
  return what.length === 0 ? { change: "unchanged" } : { change: "changed", what };
}

/** Whether two recorded values differ; one not recorded on either side is not a difference. */
function differs(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && b !== undefined && a !== b;
}
