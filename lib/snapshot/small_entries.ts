/**
 * The entries small enough to make on the main thread: a symlink's payload (a symlink
 * holding the same text) and an absent target's tombstone (an empty file).
 *
 * Order for a symlink: lstat it (it must still be a symlink), read its text as bytes,
 * refuse text the sidecar cannot record, create the payload under a reserved name
 * (lib/snapshot/payload.ts), stage the entry (lib/snapshot/staging.ts), which writes its
 * sidecar temp. For an absent target: create the tombstone, stage the entry. A failure
 * fails that target alone, with its reason (an unwritable directory is named).
 */
import type { Stats } from "node:fs";
import { fs } from "../fs/sys.ts";
import { type BPath, fromBytes, fsPath, isUtf8, toText } from "../fs/bpath.ts";
import { errnoOf, failureCodeOf, failureReason, reasonOf } from "../errors.ts";
import { handlesNonUtf8Names } from "../fs/runtime.ts";
import { createSymlinkPayload, createTombstone } from "./payload.ts";
import type { ChangeReason, Prior } from "../store/sidecar.ts";
import type { Staging } from "./staging.ts";

const DENO_LINK = "link text is not valid UTF-8 and cannot be recorded in the sidecar";

/** A target to make a small entry of: `name` in its entry directory `dir`, and why. */
export interface SmallTarget {
  path: BPath;
  dir: BPath;
  name: BPath;
  change: ChangeReason;
}

/** Snapshots symlink `t.path`. */
export function snapshotSymlink(staging: Staging, t: SmallTarget): void {
  const { path } = t;
  let text: BPath;
  let st: Stats;
  try {
    st = fs.lstatSync(fsPath(path));
    if (!st.isSymbolicLink()) {
      staging.fail(path, "was replaced during the run (no longer a symlink)");
      return;
    }
    text = fromBytes(fs.readlinkSync(fsPath(path), { encoding: "buffer" }));
  } catch (e) {
    if (errnoOf(e) === "ENOENT") staging.fail(path, "vanished before it could be read");
    // Deno throws a code-less error for link text it cannot decode (runtime-facts §4).
    else if (!handlesNonUtf8Names && errnoOf(e) === undefined) staging.fail(path, DENO_LINK);
    else staging.fail(path, reasonOf(e));
    return;
  }
  if (!isUtf8(text)) {
    staging.fail(path, DENO_LINK);
    return;
  }
  const prior: Prior = {
    kind: "symlink",
    dest: toText(text),
    mtimeMs: st.mtimeMs,
    uid: st.uid,
    gid: st.gid,
  };
  stageCreated(
    staging,
    t,
    prior,
    "symlink payload",
    (tag, ts) => createSymlinkPayload(t.dir, t.name, tag, ts, text),
  );
}

/** Snapshots absent target `t.path` as a tombstone. */
export function snapshotAbsent(staging: Staging, t: SmallTarget): void {
  stageCreated(
    staging,
    t,
    { kind: "none" },
    "tombstone",
    (tag, ts) => createTombstone(t.dir, t.name, tag, ts),
  );
}

/**
 * Creates the payload (`create` returns its entry TS) and stages the entry; a failure
 * fails the target as `cannot create <what>: <reason>`.
 */
function stageCreated(
  staging: Staging,
  t: SmallTarget,
  prior: Prior,
  what: string,
  create: (tag: string, ts: number) => number,
): void {
  const { tag, ts } = staging.spec;
  try {
    staging.stage(t.path, t.dir, create(tag, ts), prior, t.change);
  } catch (e) {
    // An unwritable entry directory is named in the message already.
    if (failureCodeOf(e) === "DIR_NOT_WRITABLE") staging.fail(t.path, failureReason(e));
    else staging.fail(t.path, `cannot create ${what}: ${reasonOf(e)}`);
  }
}
