/**
 * The worker's whole job for one regular file: copy+hash it into a new payload
 * (lib/snapshot/payload.ts), then write its sidecar to a temp name beside the final one
 * (lib/fs/atomic_write.ts), stamped for the version cache (an fstat, here rather than an
 * lstat on the main thread after the commit). Both run in parallel on the workers; the
 * main thread only commits (renames) the temps, serially, after the batch flush
 * (lib/snapshot/commit.ts).
 * If the sidecar temp cannot be written, the payload is removed: no orphan is left.
 */
import { fs } from "../fs/sys.ts";
import { fsPath } from "../fs/bpath.ts";
import { writeTempFile } from "../fs/atomic_write.ts";
import { realIo } from "../fs/io.ts";
import { fstatFd, stampHead } from "../fs/stat.ts";
import { identityText } from "../store/cache.ts";
import { entryPaths } from "../store/layout.ts";
import { copyHashFile } from "./payload.ts";
import { buildFileSidecar, encodeSidecar } from "../store/sidecar.ts";
import type { CopyJob, FileEntry, SidecarSpec } from "../pool/protocol.ts";

/**
 * Copies `job.src` into a payload and writes its sidecar temp (`buf`, `direct`: see
 * `copyHashFile`).
 * @throws PayloadError or the system error of the failed step (nothing left behind).
 */
export function snapshotFile(
  job: CopyJob,
  spec: SidecarSpec,
  buf: Uint8Array,
  direct?: Uint8Array,
): FileEntry {
  const c = copyHashFile(job.src, job.dir, job.name, job.tag, job.ts, buf, direct);
  const json = encodeSidecar(
    buildFileSidecar(c, spec.schema, spec.run, runDate(spec.run), job.change),
  );
  const paths = entryPaths(job.dir, job.name, job.tag, c.ts);
  let sidecarStamp: string | undefined;
  const stamp = (fd: number) => {
    try {
      sidecarStamp = stampHead(fstatFd(fd));
    } catch (_e) {
      // Only the version cache wants it: the next run reads this sidecar instead.
    }
  };
  try {
    const sidecarTemp = writeTempFile(paths.sidecar, json, 0o600, realIo, stamp);
    return {
      ts: c.ts,
      hash: c.hash,
      size: c.size,
      mtimeMs: c.mtimeMs,
      mode: c.mode,
      uid: c.uid,
      gid: c.gid,
      identity: identityText(c.identity),
      sidecarTemp,
      sidecarStamp,
    };
  } catch (e) {
    fs.rmSync(fsPath(paths.payload), { force: true });
    throw e;
  }
}

let lastRun: Date | undefined;

/** The Date of run `ts`, one object per run (its ISO text is then formatted once). */
function runDate(ts: number): Date {
  if (lastRun?.getTime() !== ts) lastRun = new Date(ts);
  return lastRun;
}
