/**
 * The runs of some PATHs, for `snapyard runs`: like `restic snapshots`, the run records
 * (lib/store/runs.ts) that concern the PATHs, newest first. Reads only; takes no lock.
 *
 * Order of steps: survey the records (lib/store/run_survey.ts: the anchors of the PATHs
 * and of their ancestors, and every directory below them; the whole store without
 * PATHs); report each record that does not parse and each directory that cannot be read
 * as a failure; then each run once (copies of one run's record merged), newest first.
 */
import type { BPath } from "./fs/bpath.ts";
import { type FoundRun, surveyRuns } from "./store/run_survey.ts";

/** What `listRuns` finds. */
export type RunsEvent =
  | { kind: "run"; run: FoundRun }
  | { kind: "failed"; path: BPath; reason: string };

/** Which runs to list. */
export interface RunsOptions {
  /** Absolute PATHs; none: the whole `store`. */
  paths: readonly BPath[];
  tag: string;
  store: BPath | undefined;
  onEvent: (e: RunsEvent) => void;
}

/** What `listRuns` did. */
export interface RunsSummary {
  runs: number;
  errors: number;
}

/** Lists the runs of `opts.paths`. Never throws for a record or directory it cannot read. */
export function listRuns(opts: RunsOptions): RunsSummary {
  const sum: RunsSummary = { runs: 0, errors: 0 };
  const fail = (path: BPath, reason: string) => {
    sum.errors++;
    opts.onEvent({ kind: "failed", path, reason });
  };
  const survey = surveyRuns(opts.paths, opts.tag, opts.store, (e) => fail(e.path, e.reason));
  for (const c of survey.corrupt) fail(c.path, c.reason);
  for (const run of survey.runs) {
    sum.runs++;
    opts.onEvent({ kind: "run", run });
  }
  return sum;
}
