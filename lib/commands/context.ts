/** What every command receives, and what it returns. */
import type { BPath } from "../fs/bpath.ts";
import type { Options } from "../cli/parse.ts";
import type { Io } from "../fs/io.ts";
import type { WorkerPool } from "../pool/pool.ts";
import type { Reporter } from "../cli/report.ts";
import type { SnapshotSettings } from "../snapshot/run.ts";

export type { Outcome } from "../errors.ts";

/** The parsed invocation plus the shared services. */
export interface CommandContext {
  /** Absolute byte paths (for `run`: the `--target`s). */
  paths: BPath[];
  /** `run` only: COMMAND and its arguments. */
  argv: string[];
  options: Options;
  reporter: Reporter;
  /** The worker pool, started on first use. */
  pool(): WorkerPool;
  /** Filesystem seam for durability steps (tests inject failures here). */
  io: Io;
}

/** The snapshot settings of the options (`snapshot`, and `run`'s snapshot before COMMAND). */
export function snapshotSettings(o: Options): SnapshotSettings {
  return {
    tag: o.tag,
    store: o.store,
    schema: o.schema,
    exclude: o.exclude,
    excludeIfPresent: o.excludeIfPresent,
    oneFileSystem: o.oneFileSystem,
    durable: o.durable,
    full: o.full,
    ignoreInode: o.ignoreInode,
  };
}
