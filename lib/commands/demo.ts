/**
 * `snapyard demo`: builds a small tree in a fresh temp directory (files of several
 * sizes and modes, nested directories, relative/absolute/dangling symlinks, a FIFO
 * that must be skipped), snapshots it into a store beside it, and lists the result.
 */
import { fs } from "../fs/sys.ts";
import * as os from "node:os";
import { posix } from "../fs/posix.ts";
import { listCommand } from "./list.ts";
import { snapshotCommand } from "./snapshot.ts";
import type { CommandContext, Outcome } from "./context.ts";
import { spawnSync } from "node:child_process";

/** Creates the demo tree under `root`. */
export function makeDemoTree(root: string): void {
  const dirs = ["etc/app", "etc/app/conf.d", "var/lib/app", "bin"];
  for (const d of dirs) fs.mkdirSync(posix.join(root, d), { recursive: true });
  fs.writeFileSync(posix.join(root, "etc/app/app.conf"), "listen = 8080\nworkers = 4\n");
  fs.writeFileSync(posix.join(root, "etc/app/conf.d/10-log.conf"), "log = /var/log/app.log\n");
  fs.writeFileSync(posix.join(root, "etc/app/secret.key"), "not-really-a-secret\n", {
    mode: 0o600,
  });
  fs.writeFileSync(posix.join(root, "bin/app"), "#!/bin/sh\necho app\n", { mode: 0o755 });
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  fs.writeFileSync(posix.join(root, "var/lib/app/data.bin"), big);
  fs.writeFileSync(posix.join(root, "var/lib/app/empty"), "");
  fs.symlinkSync("app.conf", posix.join(root, "etc/app/current.conf"));
  fs.symlinkSync("../../bin/app", posix.join(root, "etc/app/app-bin"));
  fs.symlinkSync("/usr/bin/true", posix.join(root, "bin/true"));
  fs.symlinkSync("does-not-exist", posix.join(root, "etc/app/dangling"));
  // A FIFO is skipped with a reason and never opened (mkfifo may be missing: then no FIFO).
  spawnSync("mkfifo", [posix.join(root, "var/lib/app/control.fifo")]);
}

/** Runs the demo. */
export async function cmdDemo(ctx: CommandContext): Promise<Outcome> {
  const base = fs.mkdtempSync(posix.join(os.tmpdir(), "snapyard-demo-"));
  const tree = posix.join(base, "tree");
  const store = posix.join(base, "store");
  makeDemoTree(tree);
  ctx.reporter.line(`demo tree: ${tree}\nstore:     ${store}\n`);
  const options = { ...ctx.options, store, lock: posix.join(base, "lock") };
  const sub: CommandContext = { ...ctx, options, paths: [tree] };
  const snap = await snapshotCommand(sub);
  ctx.reporter.line("");
  const list = await listCommand(sub);
  ctx.reporter.line(`\nTry: snapyard verify --store ${store}`);
  return snap !== "OK" ? snap : list;
}
