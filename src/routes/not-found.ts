/** The answer for a request no route takes: 405 with `Allow` when the path exists under other methods, else 404. */
import type { Context } from "hono";
import { GatewayError } from "../core/errors.ts";

interface RouteEntry {
  method: string;
  path: string;
}

/** A route path (`/v1/tasks/:id`, `/v1/models/:id{.+}`, `/api/*`) as a regular expression. */
function patternOf(path: string): RegExp {
  let source = "";
  for (const part of path.split(/(:[A-Za-z_]\w*(?:\{[^}]+\})?|\*)/)) {
    if (part === "*") source += ".*";
    else if (part.startsWith(":")) source += part.includes("{") ? `(?:${part.slice(part.indexOf("{") + 1, -1)})` : "[^/]+";
    else source += part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source.replace(/\/$/, "")}/?$`);
}

/** Builds the not-found handler for a finished app's routes (middleware entries, method ALL, are not routes); `render` writes the error in the path's shape. */
export function notFoundFor(routes: readonly RouteEntry[], render: (error: GatewayError, c: Context) => Response): (c: Context) => Response {
  let compiled: { method: string; pattern: RegExp }[] | undefined;
  return (c) => {
    compiled ??= routes.filter((r) => r.method !== "ALL").map((r) => ({ method: r.method, pattern: patternOf(r.path) }));
    // The path as routed: an alias's own methods are its target's.
    const path = c.req.path;
    const methods = new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method));
    if (methods.size > 0) {
      if (methods.has("GET")) methods.add("HEAD");
      const allow = [...methods].sort().join(", ");
      return render(new GatewayError("method_not_allowed", `${c.req.method} is not allowed on ${path}; use ${allow}`, { code: "method_not_allowed", headers: { allow } }), c);
    }
    return render(new GatewayError("not_found", `no route for ${c.req.method} ${path}`, { code: "unknown_route" }), c);
  };
}
