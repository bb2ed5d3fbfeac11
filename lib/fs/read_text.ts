/**
 * Small files read whole as UTF-8 text (version caches, sidecars, run records) into one
 * buffer reused per thread, grown to the largest file read. `readFileSync` with an
 * encoding allocates and decodes per call: Deno took ~3× longer for the hundred version
 * caches of an unchanged re-run. The text is what `readFileSync(path, "utf8")` gives,
 * a byte order mark included.
 */
import { fs } from "./sys.ts";
import { type BPath, fsPath } from "./bpath.ts";

let buf = new Uint8Array(64 * 1024);
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * The text of the file open at `fd`, read from its current position to its end.
 * @throws the system error of a read.
 */
export function readTextFd(fd: number): string {
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      const bigger = new Uint8Array(buf.length * 2);
      bigger.set(buf.subarray(0, n));
      buf = bigger;
    }
    const got = fs.readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) return utf8.decode(buf.subarray(0, n));
    n += got;
  }
}

/**
 * The text of file `path`.
 * @throws the system error of the open or a read.
 */
export function readTextFile(path: BPath): string {
  const fd = fs.openSync(fsPath(path), "r");
  try {
    return readTextFd(fd);
  } finally {
    fs.closeSync(fd);
  }
}
