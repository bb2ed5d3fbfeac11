/**
 * CLI-level tests of `snapyard snapshot`: the real entry point (main.ts) on the current
 * runtime, in a fresh temp directory per test, each with its own lock file.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { posix } from "node:path";
import { test } from "node:test";
import { parseAnyName, type ParsedName } from "../../lib/store/layout.ts";
import type { Sidecar } from "../../lib/store/sidecar.ts";
import { parseSidecar } from "../../lib/store/sidecar_reader.ts";
import {
  cliCommand,
  type Fixture,
  jsonLines,
  lsHex,
  makeTree,
  ROOT,
  runCmd,
  RUNTIME,
  type TempDir,
  tempDir,
} from "../_helpers/helpers.ts";
import { NO_STRACE } from "../_helpers/entry_fixture.ts";

// A byte-exact copy of shared/goldens/switchyard-fs-1.0, so a clean clone tests alone.
const GOLDENS = posix.join(ROOT, "tests", "goldens", "switchyard-fs-1.0");

/** Runs `snapyard snapshot ARGS` with a private lock, cwd = the temp dir, bounded in time. */
function snap(dir: TempDir, args: string[], timeoutMs = 60_000) {
  const [cmd, argv] = cliCommand(["snapshot", "--lock", dir.join("lock"), ...args]);
  return runCmd(cmd, argv, { cwd: dir.path, timeoutMs });
}

/** Our files in `d`, parsed, sorted by name. */
function ours(d: string): (ParsedName & { file: string })[] {
  return fs.readdirSync(d).sort().flatMap((file) => {
    const p = parseAnyName(file);
    return p === undefined ? [] : [{ ...p, file }];
  });
}

function sidecar(path: string): Sidecar {
  const r = parseSidecar(fs.readFileSync(path, "utf8"));
  assert.ok(r.ok, r.ok ? "" : `${path}: ${r.reason}`);
  return r.sidecar;
}

function summaryOf(stdout: string): Record<string, unknown> {
  const s = jsonLines(stdout).find((e) => e.event === "summary");
  assert.ok(s !== undefined, `no summary in ${stdout}`);
  return s;
}

const MIXED: Fixture[] = [
  { kind: "file", path: "t/a.conf", content: "alpha\n", mode: 0o640 },
  { kind: "file", path: "t/sub/b.bin", content: new Uint8Array([0, 1, 2, 255]) },
  { kind: "symlink", path: "t/rel", target: "sub/b.bin" },
  { kind: "symlink", path: "t/abs", target: "/usr/bin/true" },
  { kind: "symlink", path: "t/dangling", target: "../no/such" },
];

test("snapshot (beside) saves files, relative/absolute/dangling symlinks and absent paths under one TS", async () => {
  await using dir = tempDir();
  makeTree(dir.path, MIXED);
  const r = await snap(dir, ["--json", "t", "t/gone"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "nothing on stderr when all is well and stderr is not a terminal");
  const events = jsonLines(r.stdout);
  const sum = summaryOf(r.stdout);
  const run = sum.run as number;
  assert.deepEqual(
    { ...sum, seconds: typeof sum.seconds },
    {
      event: "summary",
      command: "snapshot",
      run,
      targets: 6,
      saved: 6,
      files: 2,
      symlinks: 3,
      absent: 1,
      unchanged: 0,
      deleted: 0,
      skipped: 0,
      failed: 0,
      bytes: 10,
      seconds: "number",
      schema: 1,
    },
  );
  const saved = events.filter((e) => e.event === "saved");
  assert.equal(saved.length, 6);
  assert.ok(saved.every((e) => e.ts === run), "one TS for every entry of the run");
  assert.deepEqual(
    saved.map((e) => e.path).sort(),
    ["a.conf", "abs", "dangling", "gone", "rel", "sub/b.bin"].map((p) => dir.join("t", p)),
  );
  // On disk: each target has exactly one payload + sidecar pair, all with that TS.
  const top = ours(dir.join("t"));
  assert.deepEqual(
    top.map((p) => `${p.name} ${p.kind}`),
    [
      "a.conf payload",
      "a.conf sidecar",
      "abs payload",
      "abs sidecar",
      "dangling payload",
      "dangling sidecar",
      "gone payload",
      "gone sidecar",
      "rel payload",
      "rel sidecar",
    ],
  );
  assert.ok(
    [...top, ...ours(dir.join("t/sub"))].every((p) => p.ts === run && p.tag === "snapyard"),
  );
  const conf = sidecar(dir.join("t", `.a.conf.snapyard.${run}.bak.meta.json`));
  assert.equal(conf.mode, "100640");
  assert.equal(conf.run, run);
  assert.equal(fs.readFileSync(dir.join("t", `.a.conf.snapyard.${run}.bak`), "utf8"), "alpha\n");
  for (
    const [name, text] of [["rel", "sub/b.bin"], ["abs", "/usr/bin/true"], [
      "dangling",
      "../no/such",
    ]]
  ) {
    assert.equal(sidecar(dir.join("t", `.${name}.snapyard.${run}.bak.meta.json`)).prior_dest, text);
    assert.equal(fs.readlinkSync(dir.join("t", `.${name}.snapyard.${run}.bak`)), text);
  }
  assert.equal(sidecar(dir.join("t", `.gone.snapyard.${run}.bak.meta.json`)).prior_kind, "none");
  assert.deepEqual(
    fs.readFileSync(dir.join("t/sub", `.b.bin.snapyard.${run}.bak`)),
    Buffer.from([0, 1, 2, 255]),
  );
});

test("snapshot --store puts entries under STORE/<absolute dir> and nothing beside the targets", async () => {
  await using dir = tempDir();
  makeTree(dir.path, MIXED);
  const r = await snap(dir, ["--json", "--store", "store", "t", "t/gone"]);
  assert.equal(r.code, 0, r.stderr);
  const run = summaryOf(r.stdout).run as number;
  assert.deepEqual(ours(dir.join("t")), []);
  assert.deepEqual(ours(dir.join("t/sub")), []);
  const image = dir.join("store", dir.join("t"));
  assert.deepEqual(
    ours(image).map((p) => `${p.name} ${p.kind} ${p.ts === run}`).filter((s) =>
      s.includes("sidecar")
    ),
    ["a.conf", "abs", "dangling", "gone", "rel"].map((n) => `${n} sidecar true`),
  );
  assert.equal(ours(posix.join(image, "sub")).length, 2);
  assert.equal(fs.statSync(image).mode & 0o777, 0o700, "store directories are private");
  assert.equal(
    fs.readFileSync(posix.join(image, `.a.conf.snapyard.${run}.bak`), "utf8"),
    "alpha\n",
  );
});

test("snapshot --store given the store itself as PATH takes nothing from it", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "a" }]);
  assert.equal((await snap(dir, ["--store", "t/store", "t/a"])).code, 0);
  const r = await snap(dir, ["--json", "--store", "t/store", "t", "t/store"]);
  assert.equal(r.code, 0, r.stderr);
  const sum = summaryOf(r.stdout);
  // t/a is unchanged since the first run: it is the one target, saved or not.
  const targets = (sum.files as number) + (sum.unchanged as number);
  assert.equal(targets, 1, "only t/a; never the store's lock file or entries");
  assert.equal(sum.skipped, 1);
});

test("snapshot --schema v2 --tag switchyard writes sidecars byte-equal to switchyard-fs goldens", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "file-0644-hello", content: "hello", mode: 0o644 },
    { kind: "file", path: "file-0755-hello", content: "hello", mode: 0o755 },
    { kind: "file", path: "extra-file-0600-empty", content: "", mode: 0o600 },
    { kind: "file", path: "extra-file-4755-hello", content: "hello", mode: 0o4755 },
    { kind: "symlink", path: "symlink-relative-dotdot-dotdot-bin", target: "../../bin" },
    { kind: "symlink", path: "symlink-absolute-usr-bin-true", target: "/usr/bin/true" },
  ]);
  const goldens = fs.readdirSync(GOLDENS).filter((n) => n.endsWith(".bak.meta.json"));
  assert.equal(goldens.length, 7);
  const targets = goldens.map((g) => g.replace(/\.bak\.meta\.json$/, ""));
  const r = await snap(dir, ["--json", "--schema", "v2", "--tag", "switchyard", ...targets]);
  assert.equal(r.code, 0, r.stderr);
  const run = summaryOf(r.stdout).run as number;
  for (const name of targets) {
    const got = fs.readFileSync(dir.join(`.${name}.switchyard.${run}.bak.meta.json`), "utf8");
    const want = fs.readFileSync(posix.join(GOLDENS, `${name}.bak.meta.json`), "utf8");
    assert.equal(got, want, name);
  }
  const suid = fs.statSync(dir.join(`.extra-file-4755-hello.switchyard.${run}.bak`));
  assert.equal(suid.mode & 0o7777, 0o600, "payloads never carry setuid");
});

test("snapshot skips a FIFO and a socket with a reason, never opening them (no hang)", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "fifo", path: "t/pipe" },
    { kind: "socket", path: "t/sock" },
    { kind: "file", path: "t/ok", content: "ok" },
  ]);
  const r = await snap(dir, ["--json", "t", "t/pipe"], 30_000);
  assert.equal(r.timedOut, false, "snapshot hung on a FIFO");
  assert.equal(r.code, 0, r.stderr);
  const skipped = jsonLines(r.stdout).filter((e) => e.event === "skipped");
  assert.deepEqual(
    skipped.map((e) => [e.path, e.reason]).sort(),
    [
      [dir.join("t/pipe"), "is a FIFO (skipped, not opened)"],
      [dir.join("t/pipe"), "is a FIFO (skipped, not opened)"],
      [dir.join("t/sock"), "is a socket (skipped, not opened)"],
    ],
  );
  const sum = summaryOf(r.stdout);
  assert.equal(sum.files, 1);
  assert.equal(sum.skipped, 3);
  assert.deepEqual(ours(dir.join("t")).map((p) => p.name), ["ok", "ok"]);
});

test("snapshot skips a FIFO and reports it on stderr in human mode", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "fifo", path: "pipe" }]);
  const r = await snap(dir, ["pipe"], 30_000);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^snapyard: Skipped ".*\/pipe": is a FIFO \(skipped, not opened\)$/m);
  assert.match(r.stdout, /^snapshot \d+: 0 saved .*, 1 skipped$/m);
});

test("snapshot usage errors (bad tag, bad --workers, unknown flag) exit 2 and write nothing", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/a", content: "a" }]);
  for (
    const [args, msg] of [
      [["--tag", "bad.tag", "t"], /Invalid tag "bad\.tag"/],
      [["--tag", "x".repeat(33), "t"], /Invalid tag/],
      [["--workers", "0", "t"], /Invalid --workers "0"/],
      [["--workers", "many", "t"], /Invalid --workers "many"/],
      [["--frobnicate", "t"], /frobnicate/],
      [["--schema", "v4", "t"], /Invalid --schema/],
    ] as const
  ) {
    const r = await snap(dir, [...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.deepEqual(fs.readdirSync(dir.join("t")), ["a"], args.join(" "));
  }
});

test('snapshot of a 240-byte name exits 3 with "name too long" and commits the others', async () => {
  await using dir = tempDir();
  const long = "n".repeat(240);
  makeTree(dir.path, [
    { kind: "file", path: `t/${long}`, content: "long" },
    { kind: "file", path: "t/short", content: "short" },
  ]);
  const r = await snap(dir, ["--json", "t"]);
  assert.equal(r.code, 3, r.stderr);
  const errors = jsonLines(r.stdout).filter((e) => e.event === "error");
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.path, dir.join("t", long));
  assert.match(String(errors[0]!.reason), /name too long/);
  assert.equal(summaryOf(r.stdout).files, 1);
  assert.deepEqual(ours(dir.join("t")).map((p) => `${p.name} ${p.kind}`), [
    "short payload",
    "short sidecar",
  ]);
  assert.deepEqual(fs.readdirSync(dir.join("t")).filter((n) => n.includes(long)), [long]);
});

test("snapshot human mode names the path and reason of a failure on stderr", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: `${"m".repeat(240)}`, content: "" }]);
  const r = await snap(dir, ["m".repeat(240)]);
  assert.equal(r.code, 3);
  assert.match(
    r.stderr,
    new RegExp(`^snapyard: Cannot snapshot ".*/${"m".repeat(240)}": name too long`, "m"),
  );
  assert.match(r.stdout, /1 FAILED/);
});

test("snapshot of a path under a regular file exits 3 naming it (ENOTDIR) and commits the other target", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "f", content: "x" }]);
  const r = await snap(dir, ["--json", "f/x", "f"]);
  assert.equal(r.code, 3, r.stderr);
  const err = jsonLines(r.stdout).find((e) => e.event === "error");
  assert.match(String(err?.path), /\/f\/x$/);
  assert.equal(err?.reason, "not a directory (ENOTDIR)");
  const s = summaryOf(r.stdout);
  assert.deepEqual([s.files, s.failed], [1, 1]);
});

test("snapshot never overwrites: a second run gets a later TS and leaves the first entry intact", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "a", content: "one" }]);
  const first = await snap(dir, ["--json", "a"]);
  fs.writeFileSync(dir.join("a"), "two");
  const second = await snap(dir, ["--json", "a"]);
  assert.equal(first.code, 0);
  assert.equal(second.code, 0);
  const [t1, t2] = [summaryOf(first.stdout).run as number, summaryOf(second.stdout).run as number];
  assert.ok(t2 > t1);
  assert.equal(fs.readFileSync(dir.join(`.a.snapyard.${t1}.bak`), "utf8"), "one");
  assert.equal(fs.readFileSync(dir.join(`.a.snapyard.${t2}.bak`), "utf8"), "two");
});

test("snapshot --exclude leaves out matching names and directories", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [
    { kind: "file", path: "t/keep", content: "" },
    { kind: "file", path: "t/x.log", content: "" },
    { kind: "file", path: "t/cache/c", content: "" },
  ]);
  const r = await snap(dir, ["--json", "--exclude", "*.log", "--exclude", "cache", "t"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(summaryOf(r.stdout).files, 1);
  assert.deepEqual(ours(dir.join("t")).map((p) => p.name), ["keep", "keep"]);
  assert.deepEqual(ours(dir.join("t/cache")), []);
});

test("snapshot keeps a valid UTF-8 non-ASCII name exactly", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/naïve-日本.txt", content: "utf8" }]);
  const r = await snap(dir, ["--json", "t"]);
  assert.equal(r.code, 0, r.stderr);
  const run = summaryOf(r.stdout).run as number;
  assert.equal(
    fs.readFileSync(dir.join("t", `.naïve-日本.txt.snapyard.${run}.bak`), "utf8"),
    "utf8",
  );
});

/** Hex of `s`'s UTF-8 bytes. */
const hex = (s: string) => Buffer.from(s).toString("hex");

test(
  RUNTIME === "deno"
    ? "snapshot (Deno) reports a non-UTF-8 name and skips it, writing nothing under a mangled name"
    : "snapshot (Bun) saves a non-UTF-8 name byte-exactly (payload name and content)",
  async () => {
    await using dir = tempDir();
    const raw = "636166e92e747874"; // "caf\xe9.txt"
    makeTree(dir.path, [
      { kind: "rawname", dirPath: "t", hexName: raw, content: "latin-1 named" },
      { kind: "file", path: "t/ok", content: "ok" },
    ]);
    const r = await snap(dir, ["--json", "t"]);
    const names = lsHex(dir.join("t"));
    if (RUNTIME === "deno") {
      assert.equal(r.code, 3, r.stderr);
      const errors = jsonLines(r.stdout).filter((e) => e.event === "error");
      assert.equal(errors.length, 1);
      assert.match(String(errors[0]!.reason), /not valid UTF-8/);
      assert.equal(summaryOf(r.stdout).files, 1, "the rest is committed");
      assert.ok(!names.some((n) => n.includes("efbfbd")), `mangled name written: ${names}`);
      // Only the sources, ok's entry and the run's record.
      assert.equal(names.length, 5, names.join(" "));
      assert.ok(names.includes(hex(`.snapyard-run.snapyard.${summaryOf(r.stdout).run}.json`)));
      assert.ok(names.includes(raw) && names.includes(hex("ok")));
    } else {
      assert.equal(r.code, 0, r.stderr);
      const run = summaryOf(r.stdout).run as number;
      const payload = hex(".") + raw + hex(`.snapyard.${run}.bak`);
      assert.ok(names.includes(payload), names.join(" "));
      assert.ok(names.includes(payload + hex(".meta.json")), names.join(" "));
      const p = Buffer.from(dir.join("t") + "/", "utf8");
      const content = fs.readFileSync(Buffer.concat([p, Buffer.from(payload, "hex")]), "utf8");
      assert.equal(content, "latin-1 named");
      assert.ok(!names.some((n) => n.includes("efbfbd")));
    }
  },
);

test("snapshot of a symlink whose text is not UTF-8 exits 3 naming the reason, the rest committed", async () => {
  await using dir = tempDir();
  makeTree(dir.path, [{ kind: "file", path: "t/ok", content: "ok" }]);
  const mk = spawnSync("python3", [
    "-c",
    "import os,sys; os.symlink(b'tar\\xffget', sys.argv[1].encode())",
    dir.join("t/badlink"),
  ]);
  assert.equal(mk.status, 0, String(mk.stderr));
  const r = await snap(dir, ["--json", "t"]);
  assert.equal(r.code, 3, r.stderr);
  const errors = jsonLines(r.stdout).filter((e) => e.event === "error");
  assert.deepEqual(errors.map((e) => e.path), [dir.join("t/badlink")]);
  assert.match(String(errors[0]!.reason), /link text is not valid UTF-8/);
  assert.deepEqual(ours(dir.join("t")).map((p) => p.name), ["ok", "ok"]);
});

// Unreadable and vanished targets: root ignores permission bits, so the failure is
// injected into the open(2) of that one path with strace.

for (
  const [errno, what, reason] of [
    ["EACCES", "unreadable", /permission denied \(EACCES\)/],
    ["ENOENT", "vanished", /vanished before it could be read/],
  ] as const
) {
  test(`snapshot of a ${what} target exits 3 with its path and reason and commits the rest`, {
    skip: NO_STRACE,
  }, async () => {
    await using dir = tempDir();
    makeTree(dir.path, [
      { kind: "file", path: "t/bad", content: "secret" },
      { kind: "file", path: "t/good", content: "good" },
      { kind: "symlink", path: "t/link", target: "good" },
    ]);
    const [cmd, argv] = cliCommand(["snapshot", "--lock", dir.join("lock"), "--json", "t"]);
    const r = await runCmd("strace", [
      "-f",
      "-qq",
      "-o",
      "/dev/null",
      "-P",
      dir.join("t/bad"),
      "-e",
      "trace=open,openat",
      "-e",
      `inject=open,openat:error=${errno}`,
      cmd,
      ...argv,
    ], { cwd: dir.path, timeoutMs: 90_000 });
    assert.equal(r.code, 3, r.stderr);
    const errors = jsonLines(r.stdout).filter((e) => e.event === "error");
    assert.deepEqual(errors.map((e) => e.path), [dir.join("t/bad")]);
    assert.match(String(errors[0]!.reason), reason);
    const sum = summaryOf(r.stdout);
    assert.deepEqual([sum.files, sum.symlinks, sum.failed], [1, 1, 1]);
    assert.deepEqual(ours(dir.join("t")).map((p) => `${p.name} ${p.kind}`), [
      "good payload",
      "good sidecar",
      "link payload",
      "link sidecar",
    ]);
  });
}
