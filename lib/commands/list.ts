/**
 * `snapyard list`: each selected target's entries, newest first, as a table per
 * target (people) or one object per row (`--json`). Takes no lock; reads only.
 */
import { type BPath, toText } from "../fs/bpath.ts";
import type { CommandContext, Outcome } from "./context.ts";
import { collectTargets, distinctTargets } from "../store/selection.ts";
import type { EntryEvent } from "../events.ts";
import { type ListRow, listRows, type ListState } from "../list.ts";
import { humanSize } from "../cli/size.ts";

const STATE_TEXT: Record<ListState, string> = {
  complete: "complete",
  payload_missing: "PAYLOAD MISSING",
  sidecar_corrupt: "SIDECAR CORRUPT",
  orphan_payload: "ORPHAN PAYLOAD",
};

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `2025-11-25 02:03:55.850` in local time. */
export function localTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
    `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.` +
    String(d.getMilliseconds()).padStart(3, "0");
}

/** RFC 3339 in local time with its offset: `2025-11-25T02:03:55.850+01:00`. */
export function localIso(ts: number): string {
  const off = -new Date(ts).getTimezoneOffset();
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return localTime(ts).replace(" ", "T") + `${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

function table(rows: ListRow[]): string[] {
  const cells = rows.map((r) => [
    String(r.ts),
    localTime(r.ts),
    r.kind ?? "-",
    humanSize(r.size),
    r.hash?.slice(0, 12) ?? "-",
    STATE_TEXT[r.state] + (r.dest !== undefined ? ` -> ${r.dest}` : "") +
    // The state already says "sidecar corrupt"; keep only the detail.
    (r.reason !== undefined ? `: ${r.reason.replace(/^sidecar corrupt: /, "")}` : ""),
  ]);
  const head = ["TS", "TIME", "KIND", "SIZE", "HASH", "STATE"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) =>
    "  " + c.map((x, i) => (i === 3 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join("  ")
      .trimEnd();
  return [fmt(head), ...cells.map(fmt)];
}

function rowEvent(target: BPath, r: ListRow): EntryEvent {
  const e: EntryEvent = {
    event: "entry",
    command: "list",
    target: toText(target),
    ts: r.ts,
    time: localIso(r.ts),
    kind: r.kind ?? null,
    size: r.size ?? null,
    hash: r.hash ?? null,
    state: r.state,
    payload: toText(r.payload),
    sidecar: r.sidecar === undefined ? null : toText(r.sidecar),
  };
  if (r.dest !== undefined) e.dest = r.dest;
  if (r.reason !== undefined) e.reason = r.reason;
  return e;
}

/** Lists ctx.paths; PARTIAL (exit 3) when a directory could not be read. */
export function listCommand(ctx: CommandContext): Promise<Outcome> {
  const { tag, store } = ctx.options;
  const r = ctx.reporter;
  let errors = 0;
  let targets = 0;
  let entries = 0;
  let orphans = 0;
  const onError = (e: { path: BPath; reason: string }) => {
    errors++;
    r.emit({ event: "error", command: "list", path: toText(e.path), reason: e.reason });
  };
  for (const scan of distinctTargets(collectTargets(ctx.paths, tag, store, onError))) {
    targets++;
    const rows = listRows(scan);
    for (const row of rows) {
      if (row.state === "orphan_payload") orphans++;
      else entries++;
    }
    if (targets > 1) r.line("");
    if (rows.length === 0) r.line(`${toText(scan.target)}: no entries`);
    else {
      r.line(`${toText(scan.target)}:`);
      for (const l of table(rows)) r.line(l);
    }
    for (const row of rows) r.emit(rowEvent(scan.target, row));
    if (scan.temps.length > 0) {
      r.line(`  and ${scan.temps.length} leftover temp file(s): see verify; prune removes them`);
      for (const t of scan.temps) {
        r.emit({ event: "temp", command: "list", target: toText(scan.target), path: toText(t) });
      }
    }
  }
  r.emit({
    event: "summary",
    command: "list",
    targets,
    entries,
    orphan_payloads: orphans,
    errors,
  });
  return Promise.resolve(errors > 0 ? "PARTIAL" : "OK");
}
