/**
 * The lines `diff` prints, as restic's diff does: `+ PATH` added, `- PATH` removed,
 * `M PATH (content, mode)` changed, and the summary line.
 */
import type { ChangeEvent, DiffSide, DiffSummaryEvent } from "../events.ts";
import { plural } from "./size.ts";

const SIGN: Record<ChangeEvent["change"], string> = { added: "+", removed: "-", changed: "M" };

/** One target's line. */
export function changeText(e: ChangeEvent): string {
  const what = e.what.length === 0 ? "" : ` (${e.what.join(", ")})`;
  return `${SIGN[e.change]} ${e.path}${what}`;
}

/** The summary line: `diff latest..live: 1 added, 0 removed, 2 changed, 40 unchanged`. */
export function diffSummaryText(s: DiffSummaryEvent): string {
  return `diff ${sideText(s.from)}..${sideText(s.to)}: ${s.added} added, ${s.removed} removed, ` +
    `${s.changed} changed, ${s.unchanged} unchanged` +
    (s.errors > 0 ? `; ${plural(s.errors, "error", "errors")}` : "");
}

function sideText(side: DiffSide): string {
  return typeof side === "number" ? `run ${side}` : side;
}
