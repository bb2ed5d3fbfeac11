/**
 * End-to-end fault injection: a real `snapyard snapshot` run under strace, with
 * syncfs/fsync/pwrite64/write made to fail. Deno and Bun run many threads, so strace
 * follows them all (-f); counts in `when=` are per syscall and per thread.
 *
 * Invariants checked after every faulty run: no sidecar is torn (each one parses and
 * has its payload), no entry is claimed that is not complete on disk, and the entries
 * of an earlier run are untouched, byte for byte. The same promises, checked without
 * strace through the `Io` seam (so they always run): tests/faults/io_faults_test.ts.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { test } from "node:test";
import { parseAnyName, payloadName, sidecarName } from "../../lib/store/layout.ts";
import { DIRECT_MIN_SIZE } from "../../lib/snapshot/payload.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import {
  cliCommand,
  type CmdResult,
  type Fixture,
  jsonLines,
  makeTree,
  runCmd,
  RUNTIME,
  type TempDir,
  tempDir,
} from "../_helpers/helpers.ts";
import { NO_STRACE } from "../_helpers/entry_fixture.ts";

const TREE: Fixture[] = [
  { kind: "file", path: "t/f1", content: "one" },
  { kind: "file", path: "t/f2", content: "two" },
  { kind: "file", path: "t/f3", content: "three" },
  { kind: "file", path: "t/f4", content: "four" },
  { kind: "symlink", path: "t/link", target: "f1" },
];

/**
 * A snapshot of t and t/gone (`--full`: every target written, as each fault test needs),
 * under strace with `inject` when given; strace's log goes to `log` (default: nowhere).
 */
function run(
  dir: TempDir,
  inject: string[] | undefined,
  extra: string[] = [],
  log = "/dev/null",
) {
  const [cmd, argv] = cliCommand([
    "snapshot",
    "--lock",
    dir.join("lock"),
    "--json",
    "--full",
    ...extra,
    "t",
    "t/gone",
  ]);
  if (inject === undefined) return runCmd(cmd, argv, { cwd: dir.path });
  return runCmd("strace", ["-f", "-qq", "-y", "-o", log, ...inject, cmd, ...argv], {
    cwd: dir.path,
    timeoutMs: 90_000,
  });
}

/** Every file of ours in `d`, as bytes (link text for symlinks). */
function snapshotOfOurs(d: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of fs.readdirSync(d)) {
    if (parseAnyName(n) === undefined) continue;
    const p = `${d}/${n}`;
    m.set(
      n,
      fs.lstatSync(p).isSymbolicLink()
        ? `link:${fs.readlinkSync(p)}`
        : fs.readFileSync(p).toString("hex"),
    );
  }
  return m;
}

/** A clean run first: its entries must survive every later fault untouched. */
async function olderRun(dir: TempDir): Promise<Map<string, string>> {
  makeTree(dir.path, TREE);
  const r = await run(dir, undefined);
  assert.equal(r.code, 0, r.stderr);
  return snapshotOfOurs(dir.join("t"));
}

/**
 * The invariants of any faulty run. `reported`: the run finished and reported (temps
 * must then be gone); otherwise it may have died, leaving orphans for `verify`/`prune`.
 */
function assertConsistent(
  dir: TempDir,
  older: Map<string, string>,
  r: CmdResult,
  reported: boolean,
): void {
  const d = dir.join("t");
  const now = snapshotOfOurs(d);
  for (const [n, data] of older) assert.equal(now.get(n), data, `older entry ${n} changed`);
  for (const n of now.keys()) {
    const p = parseAnyName(n)!;
    if (p.kind === "sidecar") {
      const s = parseSidecar(fs.readFileSync(`${d}/${n}`, "utf8"));
      assert.ok(s.ok, `torn sidecar ${n}: ${s.ok ? "" : s.reason}`);
      assert.ok(now.has(payloadName(p.name, p.tag, p.ts)), `sidecar ${n} without payload`);
    }
    if (reported) assert.notEqual(p.kind, "sidecar_temp", `temp left behind: ${n}`);
  }
  // Every claimed entry is complete on disk.
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("{") && l.endsWith("}"));
  for (const e of jsonLines(lines.join("\n")).filter((e) => e.event === "saved")) {
    const name = String(e.path).slice(d.length + 1);
    const ts = e.ts as number;
    assert.ok(now.has(sidecarName(name, "snapyard", ts)), `claimed ${name} has no sidecar`);
    assert.ok(now.has(payloadName(name, "snapyard", ts)), `claimed ${name} has no payload`);
  }
}

function newEntries(dir: TempDir, older: Map<string, string>): string[] {
  return [...snapshotOfOurs(dir.join("t")).keys()].filter((n) => !older.has(n)).sort();
}

test("snapshot with syncfs failing (EIO) exits 3, names the reason, claims and leaves no entry", {
  skip: NO_STRACE,
}, async () => {
  await using dir = tempDir();
  const older = await olderRun(dir);
  const r = await run(dir, ["-e", "trace=syncfs", "-e", "inject=syncfs:error=EIO"]);
  assert.equal(r.code, 3, r.stderr);
  const events = jsonLines(r.stdout);
  const errors = events.filter((e) => e.event === "error");
  assert.equal(errors.length, 6, "every target of the batch fails");
  for (const e of errors) {
    assert.match(String(e.reason), /syncfs of ".*" failed: input\/output error \(EIO\)/);
  }
  assert.equal(events.filter((e) => e.event === "saved").length, 0, "no entry claimed");
  assert.deepEqual(newEntries(dir, older), [], "no payload, sidecar or temp left");
  assertConsistent(dir, older, r, true);
});

test(
  "snapshot --store with syncfs failing (EIO) exits 3 and leaves the store without new entries",
  {
    skip: NO_STRACE,
  },
  async () => {
    await using dir = tempDir();
    makeTree(dir.path, TREE);
    const r = await run(dir, ["-e", "trace=syncfs", "-e", "inject=syncfs:error=EIO"], [
      "--store",
      "store",
    ]);
    assert.equal(r.code, 3, r.stderr);
    const image = dir.join("store", dir.join("t"));
    const left = fs.existsSync(image) ? fs.readdirSync(image) : [];
    assert.deepEqual(left, []);
  },
);

test("snapshot with directory fsync failing (EIO) exits 3 and reports every entry as not durable", {
  skip: NO_STRACE,
}, async () => {
  await using dir = tempDir();
  const older = await olderRun(dir);
  const r = await run(dir, ["-e", "trace=fsync", "-e", "inject=fsync:error=EIO"]);
  assert.equal(r.code, 3, r.stderr);
  const events = jsonLines(r.stdout);
  assert.equal(events.filter((e) => e.event === "saved").length, 0, "nothing claimed durable");
  const errors = events.filter((e) => e.event === "error");
  assert.equal(errors.length, 6);
  for (const e of errors) {
    assert.match(String(e.reason), /fsync of directory ".*" failed: input\/output error \(EIO\)/);
  }
  assertConsistent(dir, older, r, true);
});

test(
  "snapshot with payload writes failing (pwrite64 ENOSPC) reports them, commits the rest, tears nothing",
  {
    skip: NO_STRACE,
  },
  async () => {
    await using dir = tempDir();
    const older = await olderRun(dir);
    // One worker: the process's first pwrite64 succeeds, every later one fails. The first
    // is normally the first payload's; the runtime may make one of its own first (Deno's
    // code cache), so which files failed is read from strace's log, by path (-y).
    const log = dir.join("strace.log");
    const r = await run(
      dir,
      ["-e", "trace=pwrite64", "-e", "inject=pwrite64:error=ENOSPC:when=2+"],
      ["--workers", "1"],
      log,
    );
    assert.equal(r.code, 3, r.stderr);
    const hit = injectedPayloads(fs.readFileSync(log, "utf8"), dir.join("t"));
    assert.ok(hit.size >= 3 && hit.size <= 4, [...hit].join(" "));
    const events = jsonLines(r.stdout);
    const errors = events.filter((e) => e.event === "error");
    assert.deepEqual(
      new Set(errors.map((e) => String(e.path).split("/").pop())),
      hit,
      r.stdout,
    );
    for (const e of errors) assert.equal(e.reason, "no space left on device (ENOSPC)");
    const sum = events.find((e) => e.event === "summary")!;
    assert.deepEqual([sum.files, sum.symlinks, sum.absent, sum.failed], [
      4 - hit.size,
      1,
      1,
      hit.size,
    ]);
    // The failed files left nothing; a saved one is whole.
    const fresh = newEntries(dir, older);
    assert.equal(fresh.length, 2 * (6 - hit.size), fresh.join(" "));
    assert.ok(fresh.every((n) => !hit.has(parseAnyName(n)!.name)), fresh.join(" "));
    for (const saved of events.filter((e) => e.event === "saved" && e.kind === "file")) {
      const name = String(saved.path).split("/").pop()!;
      assert.equal(
        fs.readFileSync(dir.join("t", payloadName(name, "snapyard", saved.ts as number)), "utf8"),
        fs.readFileSync(dir.join("t", name), "utf8"),
      );
    }
    assertConsistent(dir, older, r, true);
  },
);

/**
 * The target names whose payload write in directory `d` strace failed, from its log (`-y`:
 * `pwrite64(17</d/.f2.snapyard.1.bak>, ...) = -1 ENOSPC (...) (INJECTED)`).
 */
function injectedPayloads(log: string, d: string): Set<string> {
  const out = new Set<string>();
  for (const m of log.matchAll(/pwrite64\(\d+<([^>]*)>.*= -1 ENOSPC .*\(INJECTED\)/g)) {
    const path = m[1]!;
    if (!path.startsWith(`${d}/`)) continue;
    const p = parseAnyName(path.slice(d.length + 1));
    if (p?.kind === "payload") out.add(p.name);
  }
  return out;
}

// write(2) faults hit the runtimes' own writes too (eventfd wake-ups, stdout): Deno
// aborts on a failed eventfd write and Bun exits 1 when it cannot write its report.
// Either way the run dies at some instant; the on-disk state must stay consistent.
// When the faults hit only the workers' sidecar temps (Bun, often with when=4..6),
// the run survives: exit 3 with ENOSPC named, as with pwrite64 above.
for (const when of ["1+", "2+", "4..6", "5+"]) {
  test(
    `snapshot killed by write(2) ENOSPC faults (when=${when}) leaves no torn sidecar and older entries untouched`,
    {
      skip: NO_STRACE,
    },
    async () => {
      await using dir = tempDir();
      const older = await olderRun(dir);
      const r = await run(dir, [
        "-e",
        "trace=write",
        "-e",
        `inject=write:error=ENOSPC:when=${when}`,
      ], [
        "--workers",
        "1",
      ]);
      assert.equal(r.timedOut, false);
      assert.notEqual(r.code, 0, `a run whose writes fail must not exit 0 (${RUNTIME})`);
      assertConsistent(dir, older, r, r.code === 3);
      if (r.code === 3) {
        assert.ok(
          jsonLines(r.stdout).some((e) => /ENOSPC/.test(String(e.reason))),
          "the reason is named",
        );
      }
    },
  );
}

/** A snapshot of one file of `size` random bytes, under strace `args`; returns the run. */
async function bigFileRun(dir: TempDir, size: number, args: string[]) {
  const content = randomBytes(size);
  makeTree(dir.path, [{ kind: "file", path: "t/big", content }]);
  const [cmd, argv] = cliCommand(["snapshot", "--lock", dir.join("lock"), "--json", "t/big"]);
  const r = await runCmd("strace", ["-f", "-qq", ...args, cmd, ...argv], {
    cwd: dir.path,
    timeoutMs: 90_000,
  });
  return { r, content };
}

test("snapshot writes a large payload with O_DIRECT, byte-exact", { skip: NO_STRACE }, async () => {
  await using dir = tempDir();
  const log = dir.join("strace.log");
  const { r, content } = await bigFileRun(dir, DIRECT_MIN_SIZE + 4097, [
    "-e",
    "trace=openat",
    "-o",
    log,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const saved = jsonLines(r.stdout).find((e) => e.event === "saved")!;
  const payload = payloadName("big", "snapyard", saved.ts as number);
  const opens = fs.readFileSync(log, "utf8").split("\n").filter((l) => l.includes(payload));
  assert.ok(opens.some((l) => /O_DIRECT/.test(l)), opens.join("\n"));
  assert.ok(fs.readFileSync(dir.join("t", payload)).equals(content));
});

test("snapshot falls back to buffered writes when O_DIRECT writes fail with EINVAL", {
  skip: NO_STRACE,
}, async () => {
  await using dir = tempDir();
  // Every write of the (one) worker's first payload attempt fails as O_DIRECT would.
  const { r, content } = await bigFileRun(dir, DIRECT_MIN_SIZE + 17, [
    "-o",
    "/dev/null",
    "-e",
    "trace=pwrite64",
    "-e",
    "inject=pwrite64:error=EINVAL:when=1",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const saved = jsonLines(r.stdout).find((e) => e.event === "saved")!;
  assert.equal(saved.size, content.length);
  const payload = dir.join("t", payloadName("big", "snapyard", saved.ts as number));
  assert.ok(fs.readFileSync(payload).equals(content));
  assert.equal(saved.hash, createHash("sha256").update(content).digest("hex"));
});
