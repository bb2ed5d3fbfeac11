/**
 * What makes one entry ok: the one judgement of an entry, used by `verify` (lib/verify.ts,
 * which feeds the hashes to the worker pool) and by `restore`'s plan (lib/restore/plan.ts,
 * which maps a finding to its exit code).
 *
 * Order of checks for an entry: the sidecar, through the validating reader; the
 * payload's presence; then by recorded kind: `none` → an empty regular file, `symlink`
 * → a symlink with exactly the recorded text, `file` → a hash job (`judgeHash` compares
 * its result). A v3 file entry records its size, so it goes to hashing without an
 * lstat; the worker's fstat of the open payload checks its type.
 * A sidecar without its payload is "payload missing" when the entry needs the payload
 * to be restored (file, symlink) and "orphan sidecar" when it does not (`none`: the
 * tombstone is only a marker). Fail closed: a payload that cannot be read is
 * "unreadable", and a v1 file entry (switchyard-fs, no `payload_hash`) is "unverified";
 * both are problems, never ok (unless the caller allows unverified entries: restore's
 * `--allow-unverified`). The reason of a failed step comes from `failureReason`.
 */
import type { Stats } from "node:fs";
import { fs } from "../fs/sys.ts";
import { type BPath, fromBytes, fromText, fsPath, toText } from "../fs/bpath.ts";
import type { EntryRef, TargetScan } from "./entries.ts";
import { readSidecarFile } from "./sidecar_reader.ts";
import { errnoOf, failureReason, reasonOf } from "../errors.ts";
import type { HashResult } from "../pool/protocol.ts";
import type { Sidecar } from "./sidecar.ts";

/** Every way an entry (or a file of ours) can fail verification. */
export type ProblemState =
  | "hash_mismatch"
  | "payload_mismatch"
  | "payload_missing"
  | "orphan_sidecar"
  | "sidecar_corrupt"
  | "unverified"
  | "unreadable"
  | "orphan_payload"
  | "temp";

/** Words for people, per state. */
export const STATE_TEXT: Record<ProblemState, string> = {
  hash_mismatch: "hash mismatch",
  payload_mismatch: "payload mismatch",
  payload_missing: "payload missing",
  orphan_sidecar: "orphan sidecar",
  sidecar_corrupt: "sidecar corrupt",
  unverified: "unverified",
  unreadable: "unreadable",
  orphan_payload: "orphan payload",
  temp: "leftover temp file",
};

/** One problem: the file it is about, its target and entry TS (when it has one). */
export interface Finding {
  state: ProblemState;
  target: BPath;
  path: BPath;
  ts?: number;
  reason: string;
}

/** A file entry waiting for its hash. */
export interface Pending {
  target: BPath;
  entry: EntryRef;
  /** The recorded `payload_hash`; undefined only for a v1 entry the caller allowed. */
  hash: string | undefined;
  /** The recorded size (v3), if any. */
  size: number | undefined;
  /** Its size (recorded, else lstat): batches are cut by bytes. */
  bytes: number;
}

/** A finding about entry `e`. */
export function finding(target: BPath, e: EntryRef, state: ProblemState, reason: string): Finding {
  // Name the file that is there: the sidecar when it is the problem or the only one left.
  const onSidecar = state === "sidecar_corrupt" || state === "orphan_sidecar";
  const path = onSidecar ? e.sidecar : e.payload;
  return { state, target, path, ts: e.ts, reason };
}

/** The findings that need no reading: temps and orphan payloads. */
export function leftovers(scan: TargetScan): Finding[] {
  const out: Finding[] = scan.temps.map((path) => ({
    state: "temp" as const,
    target: scan.target,
    path,
    reason: "left by an interrupted run (prune removes it)",
  }));
  for (const o of scan.orphanPayloads) {
    out.push({
      state: "orphan_payload",
      target: scan.target,
      path: o.payload,
      ts: o.ts,
      reason: "payload without a sidecar: its run never committed (prune removes it)",
    });
  }
  return out;
}

/** The outcome of the checks before hashing; `sidecar` is the entry's, as read. */
export type Check =
  | { kind: "ok"; sidecar: Sidecar }
  | { kind: "problem"; finding: Finding }
  | { kind: "hash"; sidecar: Sidecar; pending: Pending };

/** What the caller accepts besides an ok entry. */
export interface CheckOptions {
  /** A v1 file entry without `payload_hash` goes to hashing instead of being a problem. */
  allowUnverified?: boolean;
}

/**
 * Everything but the hash: the sidecar, the payload's presence, type and link text.
 * Never throws: what cannot be read is a finding.
 */
export function checkEntry(target: BPath, e: EntryRef, opts: CheckOptions = {}): Check {
  const problem = (state: ProblemState, reason: string): Check => ({
    kind: "problem",
    finding: finding(target, e, state, reason),
  });
  const parsed = readSidecarFile(e.sidecar);
  if (!parsed.ok) {
    const also = e.state === "payload_missing" ? "; its payload is missing too" : "";
    // The label already says "sidecar corrupt"; keep only the detail.
    return problem("sidecar_corrupt", parsed.reason.replace(/^sidecar corrupt: /, "") + also);
  }
  const s = parsed.sidecar;
  if (e.state === "payload_missing") {
    return s.prior_kind === "none"
      ? problem("orphan_sidecar", "tombstone missing (the entry still records an absent target)")
      : problem("payload_missing", `no payload for this ${s.prior_kind} entry`);
  }
  if (s.prior_kind === "file" && s.payload_hash !== undefined && s.size !== undefined) {
    // v3 records the size: no lstat here, the worker's fstat checks the type (ELOOP,
    // NOT_REGULAR) and the batch is cut by the recorded size.
    const pending = { target, entry: e, hash: s.payload_hash, size: s.size, bytes: s.size };
    return { kind: "hash", sidecar: s, pending };
  }
  let st: Stats;
  try {
    st = fs.lstatSync(fsPath(e.payload));
  } catch (err) {
    if (errnoOf(err) === "ENOENT") return problem("payload_missing", failureReason(err));
    return problem("unreadable", `cannot stat payload: ${reasonOf(err)}`);
  }
  if (s.prior_kind === "none") {
    if (!st.isFile()) return problem("payload_mismatch", "tombstone is not a regular file");
    if (st.size !== 0) {
      return problem("payload_mismatch", `tombstone is not empty (${st.size} bytes)`);
    }
    return { kind: "ok", sidecar: s };
  }
  if (s.prior_kind === "symlink") {
    if (!st.isSymbolicLink()) return problem("payload_mismatch", "payload is not a symlink");
    let text: BPath;
    try {
      text = fromBytes(fs.readlinkSync(fsPath(e.payload), { encoding: "buffer" }));
    } catch (err) {
      return problem("unreadable", `cannot read payload link: ${reasonOf(err)}`);
    }
    if (text !== fromText(s.prior_dest!)) {
      return problem(
        "payload_mismatch",
        `link text "${toText(text)}" differs from the recorded "${s.prior_dest}"`,
      );
    }
    return { kind: "ok", sidecar: s };
  }
  if (!st.isFile()) {
    // The words the worker's fstat would give (`judgeHash`): the same defect, found sooner.
    const code = st.isSymbolicLink() ? "ELOOP" : "NOT_REGULAR";
    return problem("payload_mismatch", failureReason({ code }));
  }
  if (s.payload_hash === undefined && opts.allowUnverified !== true) {
    return problem(
      "unverified",
      `${s.schema} file entry has no payload_hash to check (restore needs --allow-unverified)`,
    );
  }
  return {
    kind: "hash",
    sidecar: s,
    pending: { target, entry: e, hash: s.payload_hash, size: s.size, bytes: st.size },
  };
}

/** A hash result judged against its sidecar: the hash as computed, or what is wrong. */
export type Judged =
  | { ok: true; hash: string; size: number }
  | { ok: false; finding: Finding };

/**
 * Compares one hash result with its sidecar. Fails closed: a payload that could not be
 * hashed (or whose worker died) is a finding, never ok.
 */
export function judgeHash(p: Pending, r: HashResult): Judged {
  const problem = (state: ProblemState, reason: string): Judged => ({
    ok: false,
    finding: finding(p.target, p.entry, state, reason),
  });
  if (!r.ok) {
    const code = r.error.code;
    if (code === "ENOENT") return problem("payload_missing", failureReason(r.error));
    if (code === "ELOOP" || code === "NOT_REGULAR") {
      return problem("payload_mismatch", failureReason(r.error));
    }
    return problem("unreadable", `cannot hash payload: ${failureReason(r.error)}`);
  }
  if (p.hash === undefined || r.hash === p.hash) return { ok: true, hash: r.hash, size: r.size };
  const sizes = p.size !== undefined && p.size !== r.size
    ? ` (${r.size} bytes, recorded ${p.size})`
    : "";
  return problem(
    "hash_mismatch",
    `recorded sha256 ${p.hash.slice(0, 12)}…, payload has ${r.hash.slice(0, 12)}…${sizes}`,
  );
}

/**
 * A finding as one phrase for a message about its target (restore's
 * `Cannot restore "/etc/app.conf": payload hash mismatch ("…"): recorded sha256 …`).
 */
export function findingText(f: Finding): string {
  // The contract's words for a hash mismatch name the payload (shared/spec/cli.md).
  const label = f.state === "hash_mismatch" ? "payload hash mismatch" : STATE_TEXT[f.state];
  return `${label} ("${toText(f.path)}"): ${f.reason}`;
}
