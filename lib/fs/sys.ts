/**
 * The file system and the process, as snapyard reaches them on every runtime: `fs` with
 * `node:fs`'s API, `proc` with the few facts of `process` it needs.
 *
 * On Bun they are `node:fs` and `process`. On Deno, evaluating `node:fs` and touching
 * `process` cost every start ~45 ms (an empty script starts in ~62 ms, one importing
 * `node:fs` in ~106 ms), a tenth of an unchanged re-run of 10,000 files and a third of one
 * of a few large files. There the calls a snapshot's main thread makes go to libc through
 * the FFI (lib/fs/deno_fs.ts), `proc` reads Deno's own API, and `node:fs` is loaded on the
 * first call of anything else. Where the FFI is not allowed, `fs` is `node:fs`.
 *
 * Every module calls the file system through `fs` here, never `node:fs` itself (type
 * imports aside): one import of `node:fs` on the path of a command costs the whole start.
 */
import type * as NodeFs from "node:fs";
import { denoFs } from "./deno_fs.ts";
import { denoLibc } from "./deno_libc.ts";

type NodeFsModule = typeof NodeFs;

let node: NodeFsModule | undefined;

/** `node:fs`, loaded on first use. */
function nodeFs(): NodeFsModule {
  return (node ??= process.getBuiltinModule("node:fs"));
}

const DECODER = new TextDecoder();

/**
 * A function of Deno's `node:fs`, loaded when first called. Its first `paths` arguments
 * are paths: given as bytes (lib/fs/bpath.ts `fsPath`), they are handed over as text,
 * which Deno's `node:fs` wants (it cannot reach a name that is not UTF-8 either way).
 */
function lazy<K extends keyof NodeFsModule>(name: K, paths = 1): NodeFsModule[K] {
  return ((...args: unknown[]) => {
    for (let i = 0; i < paths; i++) {
      const a = args[i];
      if (a instanceof Uint8Array) args[i] = DECODER.decode(a);
    }
    return (nodeFs()[name] as (...a: unknown[]) => unknown)(...args);
  }) as NodeFsModule[K];
}

/** The calls lib/fs/deno_fs.ts makes through the FFI on Deno. */
type Native =
  | "constants"
  | "openSync"
  | "closeSync"
  | "readSync"
  | "writeSync"
  | "fsyncSync"
  | "ftruncateSync"
  | "renameSync"
  | "unlinkSync"
  | "mkdirSync"
  | "readFileSync"
  | "statSync"
  | "lstatSync"
  | "fstatSync"
  | "fchmodSync"
  | "fchownSync"
  | "futimesSync"
  | "readlinkSync";

/** The calls Deno's `node:fs` makes, loaded on the first of them. */
type Lazy =
  | "writeFileSync"
  | "symlinkSync"
  | "rmSync"
  | "rmdirSync"
  | "readdirSync"
  | "opendirSync"
  | "mkdtempSync"
  | "lchownSync";

/** The part of `node:fs` snapyard uses. */
export type Fs = Pick<NodeFsModule, Native | Lazy>;

function onDeno(): Fs | undefined {
  if (denoLibc === null) return undefined;
  const native = denoFs(denoLibc, (name) => nodeFs()[name]) as unknown as Pick<Fs, Native>;
  return {
    ...native,
    writeFileSync: lazy("writeFileSync"),
    symlinkSync: lazy("symlinkSync", 2),
    rmSync: lazy("rmSync"),
    rmdirSync: lazy("rmdirSync"),
    readdirSync: lazy("readdirSync"),
    opendirSync: lazy("opendirSync"),
    mkdtempSync: lazy("mkdtempSync"),
    lchownSync: lazy("lchownSync"),
  };
}

/** The file system: `node:fs`, or on Deno the same calls, cheaper to start (above). */
export const fs: Fs = onDeno() ?? nodeFs();

interface DenoProc {
  pid: number;
  args: string[];
  cwd(): string;
  uid(): number | null;
  env: { toObject(): Record<string, string> };
  exitCode: number;
}
const deno = (globalThis as { Deno?: DenoProc }).Deno;

/** The facts of this process snapyard needs: Deno's own on Deno, `process`'s elsewhere. */
export const proc = {
  /** The process id. */
  pid: (): number => deno?.pid ?? process.pid,
  /** The user id (-1 where there is none). */
  uid: (): number => (deno ? deno.uid() : process.getuid?.()) ?? -1,
  /** The working directory. */
  cwd: (): string => deno?.cwd() ?? process.cwd(),
  /** The command-line arguments after the program (and script). */
  args: (): string[] => deno?.args ?? process.argv.slice(2),
  /** The environment. */
  env: (): Record<string, string | undefined> => deno?.env.toObject() ?? process.env,
  /** Sets the exit code the process ends with. */
  setExitCode(code: number): void {
    if (deno) deno.exitCode = code;
    else process.exitCode = code;
  },
};
