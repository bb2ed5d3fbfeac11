/**
 * Whether a snapshot is known to be small from its PATHs' last runs: on Deno such a run
 * stays on the main thread instead of the engine worker (lib/pool/engine.ts), whose sized
 * heap matters only for trees many times larger and whose start costs about 0.1 s — a
 * third of an unchanged re-run of a few large files.
 *
 * Steps: per PATH, an lstat (is it a directory?), then the newest run record in its anchor
 * directory that names it (lib/store/runs.ts `lastRunTargets`); any PATH without one (a
 * first run) makes the run unknown, so not small.
 */
import type { BPath } from "../fs/bpath.ts";
import { lstatQuiet } from "../fs/stat.ts";
import { lastRunTargets } from "../store/runs.ts";

/**
 * At most this many targets in the PATHs' last runs keep a snapshot off the engine. The
 * engine's heap was sized for 100,000-file trees (peak RSS ≤ 1.5× that of 10,000 files).
 */
export const KNOWN_SMALL_TARGETS = 20_000;

/** Whether the last runs of every PATH in `paths` add up to at most `KNOWN_SMALL_TARGETS`. */
export function knownSmall(
  paths: readonly BPath[],
  tag: string,
  store: BPath | undefined,
): boolean {
  let total = 0;
  for (const p of paths) {
    const n = lastRunTargets(p, lstatQuiet(p)?.isDirectory() ?? false, tag, store);
    if (n === undefined) return false;
    total += n;
    if (total > KNOWN_SMALL_TARGETS) return false;
  }
  return true;
}
