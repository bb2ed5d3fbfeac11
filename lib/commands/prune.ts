/**
 * `snapyard prune`: run lib/prune.ts, its events to the reporter, and summarise. People
 * get the plan line by line with --dry-run, and otherwise only failures and the summary
 * (cron mail stays short);
 * `--json` gives every removal as an event. A removal that fails makes the exit
 * PARTIAL (3): the rest was pruned, and a later prune retries what is left.
 */
import { toText } from "../fs/bpath.ts";
import type { CommandContext, Outcome } from "./context.ts";
import type { Event } from "../events.ts";
import { prune, type PruneEvent } from "../prune.ts";

/** The event of one thing prune did (or, dry run, would do). */
export function pruneEvent(e: PruneEvent, dryRun: boolean): Event {
  if (e.kind === "failed") {
    const target = toText(e.target);
    return { event: "error", command: "prune", target, path: toText(e.path), reason: e.reason };
  }
  if (e.kind === "run_pruned") {
    return {
      event: dryRun ? "would_prune_run" : "run_pruned",
      command: "prune",
      ts: e.ts,
      why: e.why,
      paths: e.paths.map(toText),
      files: e.files.map(toText),
    };
  }
  if (e.kind === "pruned") {
    return {
      event: dryRun ? "would_prune" : "pruned",
      command: "prune",
      target: toText(e.target),
      ts: e.ts,
      why: e.why,
      files: e.files.map(toText),
    };
  }
  return {
    event: dryRun ? "would_remove" : "removed",
    command: "prune",
    what: e.what,
    target: toText(e.target),
    path: toText(e.path),
  };
}

/** Prunes ctx.paths by the --keep* rules and --max-age; PARTIAL (exit 3) when any removal failed. */
export function pruneCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const r = ctx.reporter;
  const s = prune({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    rules: {
      keep: o.keep,
      hourly: o.keepHourly,
      daily: o.keepDaily,
      weekly: o.keepWeekly,
      monthly: o.keepMonthly,
      yearly: o.keepYearly,
      withinMs: o.keepWithinMs,
      maxAgeMs: o.maxAgeMs,
      now: Date.now(),
    },
    dryRun: o.dryRun,
    durable: o.durable,
    io: ctx.io,
    onEvent: (e) => r.emit(pruneEvent(e, o.dryRun)),
  });
  r.emit({
    event: "summary",
    command: "prune",
    dry_run: s.dryRun,
    targets: s.targets,
    pruned: s.pruned,
    kept: s.kept,
    orphan_payloads: s.orphans,
    temps: s.temps,
    runs_kept: s.runsKept,
    runs_pruned: s.runsPruned,
    failed: s.failed,
  });
  return Promise.resolve(s.failed > 0 ? "PARTIAL" : "OK");
}
