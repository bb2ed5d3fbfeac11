/**
 * A snapshot's terminal progress line (lib/events/snapshot.ts `SnapshotProgressEvent`), fitted
 * to the terminal's width: counts first, then the path last done, shortened from the left:
 * `snapshot: 1204/5310 files, 96.0 MiB/1.2 GiB, 48.2 MiB/s, 1 failed  …/var/lib/app/data.bin`.
 */
import type { SnapshotProgressEvent } from "../events.ts";
import { humanSize } from "./size.ts";

/** The line for `e`, at most `width` characters. */
export function snapshotProgressText(e: SnapshotProgressEvent, width: number): string {
  const bytes = e.bytes_seen === undefined
    ? humanSize(e.bytes_done)
    : `${humanSize(e.bytes_done)}/${humanSize(e.bytes_seen)}`;
  const rate = e.seconds > 0 ? e.bytes_done / 1048576 / e.seconds : 0;
  const counts = `snapshot: ${e.files_done}/${e.files_seen} files, ${bytes}, ` +
    `${rate.toFixed(1)} MiB/s` + (e.failed > 0 ? `, ${e.failed} failed` : "");
  // Leave the last column free: a line that fills it wraps on some terminals.
  const room = width - 1 - counts.length - 2;
  if (e.path === undefined || room < 8) return counts.slice(0, Math.max(0, width - 1));
  const path = [...e.path];
  const shown = path.length <= room ? e.path : `…${path.slice(path.length - room + 1).join("")}`;
  return `${counts}  ${shown}`;
}
