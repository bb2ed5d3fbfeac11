/**
 * Test helpers: disposable temp directories, filesystem fixtures declared as data,
 * and a runner for the real entry point on the current runtime.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import type { Event } from "../../lib/events.ts";

/** Absolute path of the repository root. */
export const ROOT = posix.dirname(posix.dirname(posix.dirname(fileURLToPath(import.meta.url))));
/** Absolute path of main.ts. */
export const MAIN = posix.join(ROOT, "main.ts");
/** Which runtime runs the tests. */
export const RUNTIME: "deno" | "bun" =
  typeof (globalThis as { Deno?: unknown }).Deno !== "undefined" ? "deno" : "bun";
/** Whether tests run as root (permission bits do not stop root). */
export const IS_ROOT = process.getuid?.() === 0;

/** A temp directory removed on dispose: `await using dir = await tempDir()`. */
export interface TempDir extends AsyncDisposable {
  path: string;
  /** `path` joined with `rel`. */
  join(...rel: string[]): string;
}

/** Creates a fresh temp directory. */
export function tempDir(prefix = "snapyard-test-"): TempDir {
  const path = fs.mkdtempSync(posix.join(os.tmpdir(), prefix));
  return {
    path,
    join: (...rel) => posix.join(path, ...rel),
    [Symbol.asyncDispose]: () => {
      // chmod back anything a test made unreadable, then remove everything.
      spawnSync("chmod", ["-R", "u+rwx", path]);
      fs.rmSync(path, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** One filesystem fixture. Paths are relative to the root given to `makeTree`. */
export type Fixture =
  | { kind: "file"; path: string; content?: string | Uint8Array; mode?: number }
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "fifo"; path: string }
  | { kind: "socket"; path: string }
  /** A name given as hex bytes (may be invalid UTF-8), created outside the runtime. */
  | { kind: "rawname"; dirPath: string; hexName: string; content: string };

/** Creates fixtures under `root` (parents made as needed). */
export function makeTree(root: string, fixtures: readonly Fixture[]): void {
  for (const f of fixtures) {
    if (f.kind === "rawname") {
      fs.mkdirSync(posix.join(root, f.dirPath), { recursive: true });
      // Deno mangles non-UTF-8 names, so python3 creates them byte-exactly.
      const r = spawnSync("python3", [
        "-c",
        "import os,sys; open(os.path.join(sys.argv[1].encode(), bytes.fromhex(sys.argv[2])),'w').write(sys.argv[3])",
        posix.join(root, f.dirPath),
        f.hexName,
        f.content,
      ]);
      if (r.status !== 0) throw new Error(`rawname fixture failed: ${r.stderr}`);
      continue;
    }
    const p = posix.join(root, f.path);
    fs.mkdirSync(posix.dirname(p), { recursive: true });
    switch (f.kind) {
      case "file":
        fs.writeFileSync(p, f.content ?? "");
        if (f.mode !== undefined) fs.chmodSync(p, f.mode);
        break;
      case "dir":
        fs.mkdirSync(p, { recursive: true });
        if (f.mode !== undefined) fs.chmodSync(p, f.mode);
        break;
      case "symlink":
        fs.symlinkSync(f.target, p);
        break;
      case "fifo": {
        const r = spawnSync("mkfifo", [p]);
        if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
        break;
      }
      case "socket": {
        const r = spawnSync("python3", [
          "-c",
          "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])",
          p,
        ]);
        if (r.status !== 0) throw new Error(`socket fixture failed: ${r.stderr}`);
        break;
      }
    }
  }
}

/** The command line that runs main.ts on the current runtime. */
export function cliCommand(args: readonly string[]): [string, string[]] {
  return RUNTIME === "deno"
    ? [process.execPath, ["run", "-A", "--no-check", MAIN, ...args]]
    : [process.execPath, [MAIN, ...args]];
}

/** What a CLI run returned. */
export interface CliResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * The config file every CLI run of the tests reads unless its `env` says otherwise: an empty
 * one, named by SNAPYARD_CONFIG, so the machine's /etc/snapyard.json or ~/.config/snapyard.json
 * never applies.
 */
export const NO_CONFIG = posix.join(ROOT, "tests", "_helpers", "no_config.json");

/** Runs snapyard with `args` and waits for it (`wrap`: a command to run it under, e.g. strace). */
export function runCli(
  args: readonly string[],
  opts: { cwd?: string; input?: string; env?: Record<string, string>; wrap?: string[] } = {},
): Promise<CliResult> {
  const [cmd, argv] = cliCommand(args);
  const [head, ...rest] = [...(opts.wrap ?? []), cmd, ...argv];
  const env = { SNAPYARD_CONFIG: NO_CONFIG, SNAPYARD_STORE: "", ...opts.env };
  return runCmd(head!, rest, { ...opts, env });
}

/** Parses `--json` output into events. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/** Names in a directory, sorted (raw names as latin1 strings are not needed here). */
export function ls(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

/** What `runCmd` returned: a CLI result, and whether the time limit killed it. */
export interface CmdResult extends CliResult {
  timedOut: boolean;
}

/** Runs any command with a time limit (SIGKILL when exceeded), so a hang fails fast. */
export function runCmd(
  cmd: string,
  argv: readonly string[],
  opts: { cwd?: string; input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CmdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 120_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Names in a directory as raw bytes (hex), listed by python3: exact on every runtime. */
export function lsHex(dir: string): string[] {
  const r = spawnSync("python3", [
    "-c",
    "import os,sys; print('\\n'.join(sorted(n.hex() for n in os.listdir(sys.argv[1].encode()))))",
    dir,
  ], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`python3 listing failed: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

/**
 * Keeps an engine's events instead of showing them: pass `emit`. `events` holds every
 * event but progress; `problems` the skips, warnings and errors among them.
 */
export class CaptureReporter {
  events: Record<string, unknown>[] = [];
  problems: Record<string, unknown>[] = [];
  readonly emit = (e: Event): void => {
    if (e.event === "progress") return;
    const fields = e as unknown as Record<string, unknown>;
    this.events.push(fields);
    if (e.event === "skipped" || e.event === "warning" || e.event === "error") {
      this.problems.push(fields);
    }
  };
}

/**
 * Holds the run lock `path` in another process (flock(1)) until disposed:
 * `await using held = await holdLock(lock)`. Resolves once the lock is really held.
 */
export async function holdLock(path: string): Promise<AsyncDisposable> {
  const holder = spawn("flock", [path, "-c", "echo held; exec sleep 30"], {
    stdio: ["ignore", "pipe", "inherit"],
    detached: true, // its own process group, so the sleeping child dies with it
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once("data", () => resolve());
    holder.once("error", reject);
  });
  return {
    [Symbol.asyncDispose]: () => {
      process.kill(-holder.pid!, "SIGKILL");
      return Promise.resolve();
    },
  };
}

/** Whether this process can mount a tmpfs (root with the capability: not in every container). */
export function canMount(): boolean {
  if (!IS_ROOT) return false;
  const probe = fs.mkdtempSync("/tmp/snapyard-mount-probe-");
  try {
    if (spawnSync("mount", ["-t", "tmpfs", "none", probe]).status !== 0) return false;
    spawnSync("umount", [probe]);
    return true;
  } finally {
    fs.rmdirSync(probe);
  }
}
