/**
 * `snapyard prune`: run lib/prune.ts and report. People get the plan line by line with
 * --dry-run, and otherwise only failures and the summary (cron mail stays short);
 * `--json` gives every removal as an event. A removal that fails makes the exit
 * PARTIAL (3): the rest was pruned, and a later prune retries what is left.
 */
import { toText } from "../fs/bpath.ts";
import type { CommandContext, Outcome } from "./context.ts";
import { prune, type PruneEvent, type PruneSummary } from "../prune.ts";

const WHY: Record<string, string> = {
  count: "beyond --keep",
  age: "older than --max-age",
  "count, age": "beyond --keep and older than --max-age",
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The summary for people. */
export function pruneSummaryLine(s: PruneSummary): string {
  const verb = s.dryRun ? "would be " : "";
  return `prune${s.dryRun ? " --dry-run" : ""}: ${plural(s.pruned, "entry", "entries")} ` +
    `${verb}pruned, ${s.kept} kept; ${plural(s.orphans, "orphan payload", "orphan payloads")} ` +
    `and ${plural(s.temps, "temp file", "temp files")} ${verb}removed` +
    (s.failed > 0 ? `; ${s.failed} FAILED` : "");
}

/** Prunes ctx.paths by --keep/--max-age; PARTIAL (exit 3) when any removal failed. */
export function pruneCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const r = ctx.reporter;
  const onEvent = (e: PruneEvent) => {
    const target = toText(e.target);
    if (e.kind === "failed") {
      r.error(`Cannot prune "${toText(e.path)}": ${e.reason}`, {
        event: "error",
        target,
        path: toText(e.path),
        reason: e.reason,
      });
    } else if (e.kind === "pruned") {
      if (o.dryRun) r.line(`Would prune "${target}" entry ${e.ts} (${WHY[e.why]})`);
      r.event({
        event: o.dryRun ? "would_prune" : "pruned",
        target,
        ts: e.ts,
        why: e.why,
        files: e.files.map(toText),
      });
    } else {
      const what = e.what === "temp" ? "leftover temp file" : "orphan payload";
      if (o.dryRun) r.line(`Would remove ${what} "${toText(e.path)}"`);
      r.event({
        event: o.dryRun ? "would_remove" : "removed",
        what: e.what,
        target,
        path: toText(e.path),
      });
    }
  };
  const s = prune({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    rules: { keep: o.keep, maxAgeMs: o.maxAgeMs, now: Date.now() },
    dryRun: o.dryRun,
    durable: o.durable,
    io: ctx.io,
    onEvent,
  });
  r.summary(pruneSummaryLine(s), {
    command: "prune",
    dry_run: s.dryRun,
    targets: s.targets,
    pruned: s.pruned,
    kept: s.kept,
    orphan_payloads: s.orphans,
    temps: s.temps,
    failed: s.failed,
  });
  return Promise.resolve(s.failed > 0 ? "PARTIAL" : "OK");
}
