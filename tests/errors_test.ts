/** Unit tests of lib/errors.ts: failure codes and the one reason text for each. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import {
  failureCodeOf,
  FailureError,
  failureReason,
  isFailureCode,
  SnapyardError,
} from "../lib/errors.ts";
import { tempDir } from "./_helpers/helpers.ts";

/** The error `f` throws. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

test("failureReason() gives one text per code, whether it crossed the boundary or was caught", async () => {
  await using dir = tempDir();
  fs.symlinkSync("elsewhere", dir.join("link"));
  const { O_RDONLY, O_NOFOLLOW } = fs.constants;
  const caught = [
    thrown(() => fs.openSync(dir.join("gone"), O_RDONLY)),
    thrown(() => fs.openSync(dir.join("link"), O_RDONLY | O_NOFOLLOW)),
    new FailureError("NOT_REGULAR", "not a regular file"),
  ];
  const texts = [
    "vanished before it could be read",
    "was replaced by a symlink (not followed)",
    "was replaced by a non-regular file",
  ];
  for (const [i, e] of caught.entries()) {
    const wire = { code: failureCodeOf(e), message: "any message" };
    assert.equal(failureReason(e), texts[i]);
    assert.equal(failureReason(wire), texts[i], `${wire.code} as it crosses the boundary`);
  }
});

test("failureReason() gives the message of CHANGED, WORKER_DIED and EUNKNOWN, no code added", () => {
  const changed = new FailureError("CHANGED", "changed during copy (3 attempts)");
  assert.equal(failureReason(changed), "changed during copy (3 attempts)");
  assert.equal(
    failureReason({ code: "WORKER_DIED", message: "worker failed: boom" }),
    "worker failed: boom",
  );
  assert.equal(failureReason(new Error("no code here")), "no code here");
});

test("failureReason() gives reasonOf's words for another errno, named or not", () => {
  assert.equal(failureReason({ code: "EACCES", message: "x" }), "permission denied (EACCES)");
  assert.equal(failureReason({ code: "EMFILE", message: "too many" }), "too many (EMFILE)");
});

test("failureCodeOf() keeps ours and errnos, and says EUNKNOWN for anything else", () => {
  assert.equal(failureCodeOf(new FailureError("CHANGED", "c")), "CHANGED");
  assert.equal(failureCodeOf(Object.assign(new Error("e"), { code: "ENOSPC" })), "ENOSPC");
  assert.equal(failureCodeOf(new Error("no code")), "EUNKNOWN");
  assert.equal(failureCodeOf("a string"), "EUNKNOWN");
  // A contract code is not a failure code.
  assert.equal(failureCodeOf(new SnapyardError("USAGE", "bad flag")), "EUNKNOWN");
  assert.deepEqual(
    ["ENOENT", "NOT_REGULAR", "WORKER_DIED", "ERR_FS_FILE_TOO_LARGE", "USAGE", "enoent", ""]
      .map(isFailureCode),
    [true, true, true, true, false, false, false],
  );
});
