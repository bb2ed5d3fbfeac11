/**
 * Helpers for the restore and run tests: a picture of a tree (kind, mode, owner, bytes,
 * link text of every name) to compare before and after, and switchyard-fs entries.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { posix } from "node:path";
import { makeTree } from "./helpers.ts";

/** What one name is: kind, mode bits, owner, and content hash or link text. */
export function describe(p: string): string | undefined {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (st === undefined) return undefined;
  const mode = (st.mode & 0o7777).toString(8);
  const owner = `${st.uid}:${st.gid}`;
  if (st.isSymbolicLink()) return `symlink ${owner} -> ${fs.readlinkSync(p)}`;
  if (st.isDirectory()) return `dir ${mode} ${owner}`;
  if (st.isFile()) {
    const hash = createHash("sha256").update(fs.readFileSync(p)).digest("hex").slice(0, 16);
    return `file ${mode} ${owner} ${st.size} ${hash}`;
  }
  return `special ${mode}`;
}

/** Every name below `root`, relative, sorted; symlinks are not followed (Bun's recursive readdir does). */
export function namesBelow(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(posix.join(root, rel), { withFileTypes: true })) {
    const r = rel === "" ? d.name : `${rel}/${d.name}`;
    out.push(r);
    if (d.isDirectory()) out.push(...namesBelow(root, r));
  }
  return out.sort();
}

/** Every name below `root` (entries and temps included) with `describe`: a full picture. */
export function picture(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of namesBelow(root)) out[rel] = describe(posix.join(root, rel))!;
  return out;
}

/** Names of restore temps anywhere below `root`. */
export function restoreTemps(root: string): string[] {
  return namesBelow(root).filter((rel) => /\.restore\.tmp-\d/.test(rel));
}

/**
 * Sidecars byte-exact as switchyard-fs 1.0 writes them (shared/goldens/switchyard-fs-1.0),
 * plus the v1 file sidecar it writes when hashing fails (no `payload_hash`).
 */
export const SWITCHYARD = {
  file4755Hello:
    '{\n  "schema": "backup_meta.v2",\n  "prior_kind": "file",\n  "mode": "104755",\n' +
    '  "payload_hash": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"\n}',
  symlinkRelative:
    '{\n  "schema": "backup_meta.v1",\n  "prior_kind": "symlink",\n  "prior_dest": "../../bin"\n}',
  absent: '{\n  "schema": "backup_meta.v1",\n  "prior_kind": "none"\n}',
  fileV1: '{\n  "schema": "backup_meta.v1",\n  "prior_kind": "file",\n  "mode": "100640"\n}',
};

/**
 * Writes a switchyard-fs entry of `<dir>/<name>` at `ts` (tag `switchyard`): the payload
 * (bytes, link text, or an empty tombstone) and the sidecar text given.
 */
export function switchyardEntry(
  dir: string,
  name: string,
  ts: number,
  payload: { kind: "file"; content: string; mode: number } | { kind: "symlink"; text: string } | {
    kind: "none";
  },
  sidecar: string,
): void {
  const base = posix.join(dir, `.${name}.switchyard.${ts}.bak`);
  if (payload.kind === "file") {
    fs.writeFileSync(base, payload.content);
    fs.chmodSync(base, payload.mode);
  } else if (payload.kind === "symlink") fs.symlinkSync(payload.text, base);
  else fs.writeFileSync(base, "");
  fs.writeFileSync(`${base}.meta.json`, sidecar);
}

/** A tree `t/` under `root` with a 0640 file, a setuid file and a relative symlink. */
export function restoreTree(root: string): string {
  makeTree(root, [
    { kind: "file", path: "t/a.conf", content: "alpha\n", mode: 0o640 },
    { kind: "file", path: "t/sub/bin", content: "#!/bin/sh\n", mode: 0o4755 },
    { kind: "symlink", path: "t/sub/link", target: "../a.conf" },
  ]);
  return posix.join(root, "t");
}
