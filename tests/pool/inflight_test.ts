import assert from "node:assert/strict";
import { test } from "node:test";
import { InflightWindow } from "../../lib/pool/inflight.ts";

function deferred(): { p: Promise<void>; release: () => void } {
  let release = () => {};
  const p = new Promise<void>((r) => (release = r));
  return { p, release };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

test("InflightWindow.add() blocks while the window is full and returns when one settles", async () => {
  const w = new InflightWindow(2);
  const a = deferred();
  const b = deferred();
  await w.add(a.p); // 1 in flight: returns at once
  let returned = false;
  const second = w.add(b.p).then(() => (returned = true)); // 2 in flight: full, must wait
  await tick();
  assert.equal(returned, false, "add() returned while the window was full");
  assert.equal(w.size, 2);
  a.release();
  await second;
  assert.equal(returned, true);
  assert.equal(w.size, 1);
  b.release();
});

test("InflightWindow.drain() waits until every promise has settled", async () => {
  const w = new InflightWindow(8);
  const ds = [deferred(), deferred(), deferred()];
  for (const d of ds) await w.add(d.p);
  let drained = false;
  const done = w.drain().then(() => (drained = true));
  ds[0]!.release();
  ds[1]!.release();
  await tick();
  assert.equal(drained, false, "drain() returned with one still in flight");
  ds[2]!.release();
  await done;
  assert.equal(w.size, 0);
});
