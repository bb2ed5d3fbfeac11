/**
 * The bench's command line and the trees of a full or a quick run.
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import type { Runtime } from "./tools.ts";
import { mixedTree, type TreeSpec, uniformTree } from "./trees.ts";

const MiB = 1024 * 1024;

/** What one bench run does. */
export interface Options {
  runtimes: Runtime[];
  rounds: number;
  quick: boolean;
  huge: boolean;
  hugeRounds: number;
  keep: boolean;
  work: string;
  /** The incremental runs of issue #10 (bench/incremental.ts), and nothing else. */
  incremental: boolean;
  incrementalOnly: boolean;
  /**
   * `--against REV`: an earlier commit whose first runs are timed in the same rounds
   * (issue #10: the first run is no slower than before).
   */
  against: string | undefined;
}

function usage(message: string): never {
  console.error(`bench: ${message}`);
  console.error(
    "usage: bench/bench.ts [--runtime deno|bun|both] [--rounds N] [--quick] [--no-huge]\n" +
      "                      [--huge] [--huge-rounds N] [--keep] [--work DIR]\n" +
      "                      [--no-incremental | --incremental-only] [--against REV]",
  );
  process.exit(2);
}

function positive(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} wants a positive integer, got "${text}"`);
  return n;
}

/** The options of `argv`; exits with a usage message on a bad flag. */
export function parseOptions(argv: string[], repo: string): Options {
  const options = {
    runtime: { type: "string", default: "both" },
    rounds: { type: "string" },
    quick: { type: "boolean", default: false },
    huge: { type: "boolean" },
    "no-huge": { type: "boolean", default: false },
    "huge-rounds": { type: "string" },
    keep: { type: "boolean", default: false },
    work: { type: "string" },
    "no-incremental": { type: "boolean", default: false },
    "incremental-only": { type: "boolean", default: false },
    against: { type: "string" },
  } as const;
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options }));
  } catch (e) {
    // parseArgs throws a TypeError for an unknown flag or a missing value.
    usage(e instanceof Error ? e.message : String(e));
  }
  const runtime = values.runtime;
  if (runtime !== "deno" && runtime !== "bun" && runtime !== "both") {
    usage(`--runtime wants deno, bun or both, got "${runtime}"`);
  }
  const quick = values.quick;
  const incrementalOnly = values["incremental-only"];
  if (incrementalOnly && values["no-incremental"]) {
    usage("--incremental-only and --no-incremental exclude each other");
  }
  if (values.against !== undefined && (values.against === "" || values["no-incremental"])) {
    usage("--against wants a commit, and the incremental runs (not --no-incremental)");
  }
  const rounds = positive(values.rounds, quick ? 2 : 3, "--rounds");
  return {
    runtimes: runtime === "both" ? ["deno", "bun"] : [runtime],
    // With --against, each commit's first run goes first in half the rounds: the first of
    // two runs writing the same bytes is the faster (measured on the 1 GiB tree: 10-20%),
    // so an odd count would favour one of them. An odd count is rounded up.
    rounds: values.against !== undefined && rounds % 2 === 1 ? rounds + 1 : rounds,
    quick,
    // The 100,000-file tree is in the full run (about 1 minute of it), not in --quick.
    huge: values["no-huge"] || incrementalOnly ? false : values.huge ?? !quick,
    hugeRounds: positive(values["huge-rounds"], quick ? 1 : 2, "--huge-rounds"),
    keep: values.keep,
    work: resolve(values.work ?? join(repo, ".bench")),
    incremental: !values["no-incremental"],
    incrementalOnly,
    against: values.against,
  };
}

/** The trees of a full or a quick run: small, large, mixed, and the 100k one. */
export function treeSpecs(
  quick: boolean,
): { small: TreeSpec; large: TreeSpec; mixed: TreeSpec; huge: TreeSpec } {
  // The huge tree has 10× the small tree's files: its peak RSS is compared with it.
  if (quick) {
    return {
      small: uniformTree("small-1k", 10, 100, 4096),
      large: uniformTree("large-64MiB", 1, 4, 16 * MiB),
      mixed: mixedTree("mixed-300", 300, 7),
      huge: uniformTree("huge-10k", 100, 100, 4096),
    };
  }
  return {
    small: uniformTree("small-10k", 100, 100, 4096),
    large: uniformTree("large-1GiB", 1, 16, 64 * MiB),
    mixed: mixedTree("mixed-3k", 3000, 7),
    huge: uniformTree("huge-100k", 1000, 100, 4096),
  };
}
