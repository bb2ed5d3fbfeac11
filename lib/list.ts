/**
 * The rows `list` shows for one target: its entries and orphan payloads, newest first.
 *
 * Order of steps: take the target's scan (lib/store/entries.ts), read each sidecar with the
 * validating reader, lstat each payload for its size when the sidecar does not record
 * one, and merge in the orphan payloads by TS. Nothing is hashed (that is `verify`),
 * so "complete" means the pair is there and the sidecar is valid, not that the bytes
 * are intact.
 */
import { fs } from "./fs/sys.ts";
import { type BPath, fromText, fsPath } from "./fs/bpath.ts";
import type { TargetScan } from "./store/entries.ts";
import { readSidecarFile } from "./store/sidecar_reader.ts";
import type { PriorKind } from "./store/sidecar.ts";

/** What `list` says about one row. */
export type ListState = "complete" | "payload_missing" | "sidecar_corrupt" | "orphan_payload";

/** One row of a target's listing. */
export interface ListRow {
  ts: number;
  /** Recorded kind; undefined for an orphan payload or a corrupt sidecar. */
  kind: PriorKind | undefined;
  /** Bytes of a file's content or of a symlink's text; undefined when unknown. */
  size: number | undefined;
  /** Recorded SHA-256 of a file payload. */
  hash: string | undefined;
  /** Recorded link text of a symlink entry. */
  dest: string | undefined;
  state: ListState;
  /** Why the sidecar is corrupt. */
  reason: string | undefined;
  payload: BPath;
  /** Undefined for an orphan payload. */
  sidecar: BPath | undefined;
}

function payloadSize(path: BPath): number | undefined {
  // A payload that vanished or cannot be stat'ed just has no size to show.
  return fs.lstatSync(fsPath(path), { throwIfNoEntry: false })?.size;
}

/** The rows of one target, newest first. */
export function listRows(scan: TargetScan): ListRow[] {
  const rows: ListRow[] = [];
  for (const e of scan.entries) {
    const base = { ts: e.ts, payload: e.payload, sidecar: e.sidecar };
    const parsed = readSidecarFile(e.sidecar);
    if (!parsed.ok) {
      rows.push({
        ...base,
        kind: undefined,
        size: undefined,
        hash: undefined,
        dest: undefined,
        state: "sidecar_corrupt",
        reason: parsed.reason,
      });
      continue;
    }
    const s = parsed.sidecar;
    const present = e.state === "complete";
    let size: number | undefined;
    if (s.prior_kind === "file") size = s.size ?? (present ? payloadSize(e.payload) : undefined);
    else if (s.prior_kind === "symlink") size = fromText(s.prior_dest!).length;
    else size = 0;
    rows.push({
      ...base,
      kind: s.prior_kind,
      size,
      hash: s.payload_hash,
      dest: s.prior_dest,
      state: present ? "complete" : "payload_missing",
      reason: undefined,
    });
  }
  for (const o of scan.orphanPayloads) {
    rows.push({
      ts: o.ts,
      kind: undefined,
      size: payloadSize(o.payload),
      hash: undefined,
      dest: undefined,
      state: "orphan_payload",
      reason: undefined,
      payload: o.payload,
      sidecar: undefined,
    });
  }
  return rows.sort((a, b) => b.ts - a.ts);
}
