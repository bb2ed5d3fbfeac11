/**
 * The entry directory of each target of a snapshot run: beside the target, or its image
 * under `--store`, created there (0700, with its parents) the first time an entry must be
 * written into it (an unchanged target only reads it: `of`, then `ready` before a write).
 * A name whose entry names would be too long fails in `of`, before any payload exists.
 */
import { fs } from "../fs/sys.ts";
import { type BPath, fsPath, toText } from "../fs/bpath.ts";
import { errnoOf, reasonOf } from "../errors.ts";
import { entryDir, longestEntryName, NAME_MAX } from "../store/layout.ts";
import type { RunSpec, Staging } from "./staging.ts";

/**
 * Creates directory `dir` (0700) and any missing parents; nothing when it exists. One mkdir
 * when its parent exists (the common case: a sibling was made first), since a recursive
 * mkdir looks at every parent first (on Deno with an exception for each one missing).
 * @throws the system error when it cannot be created.
 */
function makeDir(dir: BPath): void {
  try {
    fs.mkdirSync(fsPath(dir), { mode: 0o700 });
  } catch (e) {
    const code = errnoOf(e);
    // Something is there: fine when it is (or leads to) a directory; else its own error.
    if (code === "EEXIST" && fs.statSync(fsPath(dir), { throwIfNoEntry: false })?.isDirectory()) {
      return;
    }
    if (code !== "ENOENT") throw e;
    fs.mkdirSync(fsPath(dir), { recursive: true, mode: 0o700 });
  }
}

/** The entry directories of a run's targets, created in the store as first written. */
export class EntryDirs {
  readonly #spec: RunSpec;
  readonly #store: BPath | undefined;
  readonly #staging: Staging;
  readonly #ready = new Set<BPath>();
  #last = "";
  /** The parent of the last target (`#last` is its entry directory). */
  #lastParent = "\0";
  readonly #nameExtra: number;

  constructor(spec: RunSpec, store: BPath | undefined, staging: Staging) {
    this.#spec = spec;
    this.#store = store;
    this.#staging = staging;
    this.#nameExtra = longestEntryName("", spec.tag, spec.ts);
  }

  /** The entry directory of `path`; undefined when it failed (the failure is reported). */
  of(path: BPath): BPath | undefined {
    // One string per directory, not per file (staged entries share it until their flush),
    // and none made while targets come from the same directory.
    const cut = path.lastIndexOf("/");
    if (cut !== this.#lastParent.length || !path.startsWith(this.#lastParent)) {
      this.#lastParent = path.slice(0, cut);
      this.#last = entryDir(path, this.#store);
    }
    const dir = this.#last;
    // The longest entry name is the target's name and what the tag and TS add to any.
    if (path.length - cut - 1 + this.#nameExtra > NAME_MAX) {
      // Checked up front for a clear message and so no orphan payload is left behind.
      this.#staging.fail(
        path,
        `name too long for the filesystem: its entry names would exceed ${NAME_MAX} bytes`,
      );
      return undefined;
    }
    return dir;
  }

  /**
   * Makes sure entry directory `dir` of `path` exists before an entry is written into it;
   * false when it could not be created (the failure is reported).
   */
  ready(path: BPath, dir: BPath): boolean {
    if (this.#store === undefined || this.#ready.has(dir)) return true;
    try {
      makeDir(dir);
    } catch (e) {
      this.#staging.fail(path, `cannot create store directory "${toText(dir)}": ${reasonOf(e)}`);
      return false;
    }
    this.#ready.add(dir);
    return true;
  }
}
