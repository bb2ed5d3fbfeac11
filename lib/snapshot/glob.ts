/**
 * `--exclude GLOB` matching, rsync-like: a pattern without `/` matches a base name
 * at any depth; a pattern with `/` matches the path relative to the walked root.
 * `*` and `?` stay within one component, `**` crosses components, `[...]` is a class.
 */

/** Compiles a glob into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:[\\s\\S]*/)?";
        } else re += "[\\s\\S]*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith("!")) cls = "^" + cls.slice(1);
        re += `[${cls.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** A predicate over (path relative to the root, base name). */
export type Excluder = (rel: string, base: string) => boolean;

/** Builds one predicate from many globs; an empty list excludes nothing. */
export function compileExcludes(globs: readonly string[]): Excluder {
  const byBase: RegExp[] = [];
  const byPath: RegExp[] = [];
  for (const g of globs) {
    const anchored = g.startsWith("/");
    const body = anchored ? g.slice(1) : g;
    (body.includes("/") || anchored ? byPath : byBase).push(globToRegExp(body.replace(/\/$/, "")));
  }
  if (byBase.length === 0 && byPath.length === 0) return () => false;
  return (rel, base) => byBase.some((r) => r.test(base)) || byPath.some((r) => r.test(rel));
}
