/**
 * A test `Io` (lib/fs/io.ts) that records every call and injects failures by operation
 * and path: ENOSPC, EIO, or a file that vanishes (removed just before the operation,
 * which then meets the real ENOENT). Everything else goes to the real filesystem.
 */
import * as fs from "node:fs";
import type { BPath } from "../../lib/fs/bpath.ts";
import { type Io, realIo } from "../../lib/fs/io.ts";

/** The operations of the seam. */
export type Op = keyof Io;

/** One injected failure: `op` on a path that `on` accepts fails with `errno`. */
export interface Fault {
  op: Op;
  /** The path the operation names (for `write`, the path its fd was opened on). */
  on: (path: BPath) => boolean;
  /** An errno to throw, or "vanish": the file is removed, then the real call runs. */
  errno: "ENOSPC" | "EIO" | "vanish";
  /** Fails only this many times (default: every time). */
  times?: number;
}

/** The error a failing system call throws: a `code`, as node:fs gives it. */
export function sysError(code: string, op: string, path: BPath): Error {
  return Object.assign(new Error(`${code}: injected, ${op} '${path}'`), { code });
}

/** An Io that fails where its faults say; `calls` reads `"<op> <path>"`, in order. */
export class FaultIo implements Io {
  readonly calls: string[] = [];
  readonly #faults: Fault[];
  readonly #pathOfFd = new Map<number, BPath>();

  constructor(...faults: Fault[]) {
    this.#faults = faults.map((f) => ({ ...f }));
  }

  /** The paths of the calls of `op`, in order. */
  pathsOf(op: Op): BPath[] {
    const prefix = `${op} `;
    return this.calls.filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length));
  }

  syncfs(dir: BPath): void {
    this.#enter("syncfs", dir);
    realIo.syncfs(dir);
  }
  fsyncDir(dir: BPath): void {
    this.#enter("fsyncDir", dir);
    realIo.fsyncDir(dir);
  }
  rename(from: BPath, to: BPath): void {
    // Matched on either name; what vanishes is the source (a temp removed under us).
    this.#enter("rename", to, from);
    realIo.rename(from, to);
  }
  unlink(path: BPath): void {
    this.#enter("unlink", path);
    realIo.unlink(path);
  }
  open(path: BPath, flags: number, mode?: number): number {
    this.#enter("open", path);
    const fd = realIo.open(path, flags, mode);
    this.#pathOfFd.set(fd, path);
    return fd;
  }
  write(fd: number, data: Uint8Array, offset: number, length: number, position?: number): number {
    this.#enter("write", this.#pathOfFd.get(fd) ?? `fd ${fd}`);
    return realIo.write(fd, data, offset, length, position);
  }

  /**
   * Records the call, then throws or removes `subject` (the file the call needs) when a
   * fault matches `path` or `subject`.
   */
  #enter(op: Op, path: BPath, subject: BPath = path): void {
    this.calls.push(`${op} ${path}`);
    const f = this.#faults.find((f) =>
      f.op === op && (f.times ?? 1) > 0 && (f.on(path) || f.on(subject))
    );
    if (f === undefined) return;
    if (f.times !== undefined) f.times--;
    if (f.errno !== "vanish") throw sysError(f.errno, op, path);
    fs.rmSync(subject, { force: true });
  }
}
