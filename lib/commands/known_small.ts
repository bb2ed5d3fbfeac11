/**
 * What a snapshot's PATHs' last runs say of its size. On Deno a run known to be small stays
 * on the main thread instead of the engine worker (lib/pool/engine.ts), whose sized heap
 * matters only for trees many times larger and whose start costs about 0.1 s — a third of
 * an unchanged re-run of a few large files. A run of unknown size (a first run) will copy:
 * its pool's workers start with the engine, not when it first asks for them.
 *
 * Steps: per PATH, an lstat (is it a directory?), then the newest run record in its anchor
 * directory that names it (lib/store/runs.ts `lastRunTargets`); any PATH without one (a
 * first run) makes the run's size unknown.
 */
import type { BPath } from "../fs/bpath.ts";
import { lstatQuiet } from "../fs/stat.ts";
import { lastRunTargets } from "../store/runs.ts";

/**
 * At most this many targets in the PATHs' last runs keep a snapshot off the engine. The
 * engine's heap was sized for 100,000-file trees (peak RSS ≤ 1.5× that of 10,000 files).
 */
export const KNOWN_SMALL_TARGETS = 20_000;

/**
 * What the PATHs' last runs say of the next run's size: `small` when they add up to at
 * most `KNOWN_SMALL_TARGETS`, `large` above it, `unknown` when a PATH has none (a first run).
 */
export type RunSize = "small" | "large" | "unknown";

/** The size the last runs of the PATHs in `paths` give (`RunSize`). */
export function lastRunsSize(
  paths: readonly BPath[],
  tag: string,
  store: BPath | undefined,
): RunSize {
  let total = 0;
  for (const p of paths) {
    const n = lastRunTargets(p, lstatQuiet(p)?.isDirectory() ?? false, tag, store);
    if (n === undefined) return "unknown";
    total += n;
    if (total > KNOWN_SMALL_TARGETS) return "large";
  }
  return "small";
}
