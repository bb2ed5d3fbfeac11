/**
 * What the unchanged judgement (lib/snapshot/entry_dir_index.ts) reads the slow way, when
 * a target's newest entry is not in the version cache or the target is not as recorded: a
 * sidecar with the stamp of the very file read, and a target's state now.
 */
import { fs } from "../fs/sys.ts";
import { type BPath, fromBytes, fsPath } from "../fs/bpath.ts";
import { readTextFd } from "../fs/read_text.ts";
import { fstatFd, lstatPath, stampText } from "../fs/stat.ts";
import type { Current } from "../store/identity.ts";
import type { Sidecar } from "../store/sidecar.ts";
import { parseSidecar } from "../store/sidecar_reader.ts";

/**
 * Reads and validates sidecar `path`, with the stamp of the very file read (fstat of its
 * fd); undefined when it cannot be read or is not valid.
 */
export function readSidecar(path: BPath): { sidecar: Sidecar; stamp: string } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(path), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (_e) {
    // Unreadable sidecar: the entry cannot be reused, so the target is saved again.
    return undefined;
  }
  try {
    const st = fstatFd(fd);
    const parsed = parseSidecar(readTextFd(fd));
    return parsed.ok ? { sidecar: parsed.sidecar, stamp: stampText(st) } : undefined;
  } catch (_e) {
    // A read that fails is an entry that cannot be reused.
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * What `path` is now, read without following a symlink; undefined when it is no longer
 * of the walk's `kind` (replaced since: counted as a changed kind, and saved as it is).
 */
export function current(path: BPath, kind: "file" | "symlink" | "none"): Current | undefined {
  const st = lstatPath(path);
  if (kind === "none") return st === undefined ? { kind: "none" } : undefined;
  if (st === undefined || st.kind !== kind) return undefined;
  if (kind === "file") return { kind: "file", st };
  const text = fromBytes(fs.readlinkSync(fsPath(path), { encoding: "buffer" }));
  return { kind: "symlink", text, uid: st.uid, gid: st.gid };
}
