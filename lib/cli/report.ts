/**
 * Output for people and for log shippers.
 *
 * `--json`: one JSON object per line on stdout (events, then a final summary).
 * Otherwise: problems go to stderr as `snapyard: <message>`, results to stdout as
 * lines; `--quiet` keeps only errors. A progress line is drawn on stderr only when
 * stderr is a terminal, so cron output stays clean. Stdout is buffered and flushed
 * in large writes.
 */
import * as fs from "node:fs";
import { isatty } from "node:tty";

/** How output is shaped. */
export type OutputMode = "human" | "json" | "quiet";

/** Collects and writes a command's output. */
export class Reporter {
  readonly mode: OutputMode;
  #out: string[] = [];
  #outBytes = 0;
  #progressShown = false;
  #lastProgress = 0;
  readonly #tty: boolean;

  constructor(mode: OutputMode, stderrIsTty = isatty(2)) {
    this.mode = mode;
    this.#tty = stderrIsTty && mode === "human";
  }

  #write(line: string): void {
    this.#out.push(line, "\n");
    this.#outBytes += line.length + 1;
    if (this.#outBytes > 1 << 16) this.flush();
  }

  /** A JSON event (json mode only). */
  event(e: Record<string, unknown>): void {
    if (this.mode === "json") this.#write(JSON.stringify(e));
  }

  /** A result line for people (human mode only). */
  line(text: string): void {
    if (this.mode === "human") this.#write(text);
  }

  /** A skipped target or a warning: stderr for people, an event for machines. */
  warn(message: string, e: Record<string, unknown>): void {
    if (this.mode === "json") this.#write(JSON.stringify(e));
    else if (this.mode === "human") this.#stderr(`snapyard: ${message}`);
  }

  /** A failure: always shown; an event in json mode. */
  error(message: string, e: Record<string, unknown>): void {
    if (this.mode === "json") this.#write(JSON.stringify(e));
    else this.#stderr(`snapyard: ${message}`);
  }

  /** The final summary: a JSON event, or a line for people. */
  summary(text: string, e: Record<string, unknown>): void {
    this.clearProgress();
    if (this.mode === "json") this.#write(JSON.stringify({ event: "summary", ...e }));
    else if (this.mode === "human") this.#write(text);
  }

  /** Redraws the progress line (terminal only, at most 10 times a second). */
  progress(text: string): void {
    if (!this.#tty) return;
    const now = performance.now();
    if (now - this.#lastProgress < 100) return;
    this.#lastProgress = now;
    fs.writeSync(2, `\r\x1b[K${text}`);
    this.#progressShown = true;
  }

  /** Removes the progress line, if any. */
  clearProgress(): void {
    if (this.#progressShown) {
      fs.writeSync(2, "\r\x1b[K");
      this.#progressShown = false;
    }
  }

  #stderr(text: string): void {
    this.clearProgress();
    this.flush();
    writeAll(2, text + "\n");
  }

  /** Writes buffered stdout. */
  flush(): void {
    if (this.#out.length === 0) return;
    const s = this.#out.join("");
    this.#out = [];
    this.#outBytes = 0;
    writeAll(1, s);
  }
}

function writeAll(fd: number, s: string): void {
  const b = Buffer.from(s, "utf8");
  let off = 0;
  while (off < b.length) {
    try {
      off += fs.writeSync(fd, b, off, b.length - off);
    } catch (e) {
      // A non-blocking pipe that is full: wait for it rather than drop output.
      if ((e as { code?: string }).code === "EAGAIN") continue;
      throw e;
    }
  }
}
