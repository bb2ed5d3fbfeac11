/**
 * What a `run`'s rollback leaves in place: the files and symlinks below a directory target that
 * COMMAND created. The rollback restores every target to its version at the run and never
 * deletes what snapyard did not save (as restic restores: nothing it has no record of is
 * removed), so these stay; the run's summary names them.
 *
 * Steps: `Seen` watches the events of the run's snapshot and of its rollback and keeps every
 * path they name (a target saved, unchanged, skipped or failed at the run; one the rollback
 * restored, removed or left alone); after the rollback, `leftInPlace` walks the directory
 * targets again, with the snapshot's excludes and its store left out, and returns the paths
 * neither named.
 */
import { fs } from "./fs/sys.ts";
import { type BPath, fsPath, toText } from "./fs/bpath.ts";
import type { Emit } from "./events.ts";
import { Excludes } from "./snapshot/exclude.ts";
import { walkTargets } from "./snapshot/walk.ts";

/** The paths (as text) the events passed through `emit` named. */
export class Seen {
  readonly #paths = new Set<string>();
  /** Passes each event on to `next`, keeping the path it names, if any. */
  readonly emit: Emit;

  constructor(next: Emit) {
    this.emit = (e) => {
      if ("path" in e && typeof e.path === "string") this.#paths.add(e.path);
      next(e);
    };
  }

  /** Whether an event named `path`. */
  has(path: string): boolean {
    return this.#paths.has(path);
  }
}

/** Where to look, and what the snapshot left out. */
export interface LeftOptions {
  targets: readonly BPath[];
  exclude: readonly string[];
  excludeIfPresent: readonly string[];
  oneFileSystem: boolean;
  store: BPath | undefined;
}

/**
 * The files and symlinks below the directory targets that no event in `seen` named, sorted.
 * A directory that cannot be read now is not listed from (the rollback reported its targets).
 */
export function leftInPlace(opts: LeftOptions, seen: Seen): string[] {
  const skipDirs = new Set<string>();
  if (opts.store !== undefined) {
    const st = fs.statSync(fsPath(opts.store), { throwIfNoEntry: false });
    if (st !== undefined) skipDirs.add(`${st.dev}:${st.ino}`);
  }
  const dirs = opts.targets.filter((t) =>
    fs.lstatSync(fsPath(t), { throwIfNoEntry: false })?.isDirectory() === true
  );
  const left: string[] = [];
  const walk = walkTargets(dirs, {
    exclude: new Excludes(opts.exclude),
    ifPresent: new Set(opts.excludeIfPresent),
    oneFileSystem: opts.oneFileSystem,
    skipDirs,
  });
  for (const item of walk) {
    if (item.kind !== "file" && item.kind !== "symlink") continue;
    const path = toText(item.path);
    if (!seen.has(path)) left.push(path);
  }
  return left.sort();
}
