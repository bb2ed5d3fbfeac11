/** What every command receives, and what it returns. */
import type { BPath } from "./bpath.ts";
import type { Options } from "./cli.ts";
import type { ErrorCode } from "./errors.ts";
import type { Io } from "./durable.ts";
import type { WorkerPool } from "./pool.ts";
import type { Reporter } from "./report.ts";

/** A command's outcome; main.ts maps it to the exit code. */
export type Outcome = "OK" | ErrorCode;

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
