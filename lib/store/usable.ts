/**
 * Whether `--store DIR` can be used, checked once before a command takes its lock or does
 * any work, so an unusable store is one error naming it and the reason (STORE_UNUSABLE,
 * exit 10) rather than a stack trace or one identical error per file.
 *
 * Order of steps:
 * 1. stat the store (following a symlink: a store may be one). Missing: a command that
 *    only reads, or writes into existing entries, fails; one that creates entries creates
 *    the store when its parent is a directory (the whole chain only with `--init`).
 * 2. It must be a directory.
 * 3. A command that writes creates and removes a probe file in it: only doing it tells
 *    (read-only mounts, ACLs, root squash); one that reads opens it as a directory.
 */
import type { Stats } from "node:fs";
import { fs, proc } from "../fs/sys.ts";
import { posix } from "../fs/posix.ts";
import { type BPath, fsPath, toText } from "../fs/bpath.ts";
import { errnoOf, reasonOf, SnapyardError } from "../errors.ts";

/** What a command does with the store: creates entries, writes, or only reads. */
export type StoreUse = "create" | "write" | "read";

let probes = 0;

/**
 * Checks (and for "create", makes) the store `store` for a command that `use`s it.
 * @throws SnapyardError STORE_UNUSABLE naming the store and the reason.
 */
export function checkStore(store: BPath, use: StoreUse, init: boolean): void {
  let st: Stats;
  try {
    st = fs.statSync(fsPath(store));
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === "ENOTDIR") throw unusable(store, notDirectoryAbove(store));
    if (errno !== "ENOENT") throw unusable(store, reasonOf(e));
    if (use !== "create") {
      throw unusable(store, "it does not exist (snapshot creates it; was the path mistyped?)");
    }
    createStore(store, init);
    st = fs.statSync(fsPath(store));
  }
  if (!st.isDirectory()) throw unusable(store, "not a directory");
  if (use === "read") {
    try {
      fs.opendirSync(fsPath(store)).closeSync();
    } catch (e) {
      throw unusable(store, `cannot read it: ${reasonOf(e)}`);
    }
    return;
  }
  const probe = posix.join(store, `.snapyard-probe.${proc.pid()}.${++probes}`);
  try {
    fs.closeSync(fs.openSync(fsPath(probe), "wx", 0o600));
  } catch (e) {
    throw unusable(store, `cannot write to it: ${reasonOf(e)}`);
  }
  try {
    fs.unlinkSync(fsPath(probe));
  } catch (e) {
    throw unusable(store, `cannot remove the probe file "${toText(probe)}": ${reasonOf(e)}`);
  }
}

/** Step 1: the store alone when its parent is a directory; the chain with `init`. */
function createStore(store: BPath, init: boolean): void {
  try {
    fs.mkdirSync(fsPath(store), { recursive: init });
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === "ENOENT" && !init) {
      throw unusable(
        store,
        `its parent "${toText(posix.dirname(store))}" does not exist ` +
          `(create it, or pass --init to create the whole path)`,
      );
    }
    if (errno === "ENOTDIR") throw unusable(store, notDirectoryAbove(store));
    throw new SnapyardError(
      "STORE_UNUSABLE",
      `Cannot create store "${toText(store)}": ${reasonOf(e)}`,
    );
  }
}

/** The reason when a component of the path is not a directory: it names the component. */
function notDirectoryAbove(store: BPath): string {
  for (let p = posix.dirname(store); p !== "/"; p = posix.dirname(p)) {
    let st: Stats;
    try {
      st = fs.statSync(fsPath(p));
    } catch (e) {
      // A component that cannot be stat'ed this way has its culprit further up.
      if (errnoOf(e) === "ENOTDIR" || errnoOf(e) === "ENOENT") continue;
      return reasonOf(e);
    }
    if (!st.isDirectory()) {
      return `"${toText(p)}" on its path is not a directory`;
    }
  }
  return "a component of its path is not a directory (ENOTDIR)";
}

function unusable(store: BPath, reason: string): SnapyardError {
  return new SnapyardError("STORE_UNUSABLE", `Cannot use store "${toText(store)}": ${reason}`);
}
