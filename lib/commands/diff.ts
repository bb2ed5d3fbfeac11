/**
 * `snapyard diff`: run lib/diff.ts, its events to the reporter, and summarise. Takes no
 * lock; reads only.
 */
import type { CommandContext, Outcome } from "./context.ts";
import { diff } from "../diff.ts";

/** Diffs ctx.paths; the outcome maps to exit 0 (differences or not), 3 or 60. */
export function diffCommand(ctx: CommandContext): Promise<Outcome> {
  const o = ctx.options;
  const r = ctx.reporter;
  const s = diff({
    paths: ctx.paths,
    tag: o.tag,
    store: o.store,
    ats: o.ats,
    exclude: o.exclude,
    emit: (e) => r.emit(e),
  });
  r.emit({
    event: "summary",
    command: "diff",
    from: s.from,
    to: s.to,
    targets: s.targets,
    added: s.added,
    removed: s.removed,
    changed: s.changed,
    unchanged: s.unchanged,
    errors: s.errors,
  });
  return Promise.resolve(s.outcome);
}
