/**
 * The POSIX path functions snapyard uses, with `node:path`'s `posix` answers (the tests
 * compare them on generated paths): on Deno, evaluating `node:path` costs every start
 * ~15 ms when it is the first `node:` module (lib/fs/sys.ts). Bun's own, native and loaded
 * with Bun, stays Bun's. Paths are strings, text or byte strings (lib/fs/bpath.ts) alike:
 * only `/` and `.` are looked at.
 */
import { proc } from "./sys.ts";

const SLASH = 47;

/** `path.posix.normalize`: `.` and `..` resolved, slashes collapsed, a trailing one kept. */
function normalize(p: string): string {
  if (p === "") return ".";
  const absolute = p.charCodeAt(0) === SLASH;
  const trailing = p.charCodeAt(p.length - 1) === SLASH;
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg !== "..") out.push(seg);
    else if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (!absolute) out.push("..");
  }
  const body = out.join("/");
  if (absolute) return body === "" ? "/" : `/${body}${trailing ? "/" : ""}`;
  if (body === "") return trailing ? "./" : ".";
  return trailing ? `${body}/` : body;
}

/** `path.posix.join`: the non-empty parts joined with `/`, normalized. */
function join(...parts: string[]): string {
  const joined = parts.filter((s) => s !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** `path.posix.isAbsolute`. */
function isAbsolute(p: string): boolean {
  return p.charCodeAt(0) === SLASH;
}

/** `path.posix.dirname`. */
function dirname(p: string): string {
  if (p === "") return ".";
  const absolute = p.charCodeAt(0) === SLASH;
  let end = -1;
  let matched = true;
  for (let i = p.length - 1; i >= 1; i--) {
    if (p.charCodeAt(i) === SLASH) {
      if (!matched) {
        end = i;
        break;
      }
    } else matched = false;
  }
  if (end === -1) return absolute ? "/" : ".";
  if (absolute && end === 1) return "//";
  return p.slice(0, end);
}

/** `path.posix.basename` (without its extension argument). */
function basename(p: string): string {
  let end = p.length;
  while (end > 0 && p.charCodeAt(end - 1) === SLASH) end--;
  if (end === 0) return "";
  return p.slice(p.lastIndexOf("/", end - 1) + 1, end);
}

/** `path.posix.resolve` of one path against directory `dir` (absolute) when relative. */
export function resolveIn(dir: string, p: string): string {
  const n = normalize(isAbsolute(p) ? p : `${dir}/${p}`);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

/** `path.posix.resolve` of one path: against the working directory when relative. */
function resolve(p: string): string {
  return resolveIn(proc.cwd(), p);
}

/** `path.posix.relative`: the path from `from` to `to`, both resolved first. */
function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter((s) => s !== "");
  const b = resolve(to).split("/").filter((s) => s !== "");
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  return [...a.slice(same).map(() => ".."), ...b.slice(same)].join("/");
}

/** The functions above (exported for the tests, on every runtime). */
export const jsPosix = { normalize, join, isAbsolute, dirname, basename, resolve, relative };

/** `node:path`'s `posix` functions: the ones above on Deno, Bun's own elsewhere. */
export const posix: typeof jsPosix = "Deno" in globalThis
  ? jsPosix
  : process.getBuiltinModule("node:path").posix;
