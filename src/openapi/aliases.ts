/**
 * Path aliases in the API docs. A path the app routes as another (seed 003's `/api/v1/…`, see
 * src/routes/aliases.ts) is not in the app's route list, so its operations are derived here from
 * the declarations of the paths they stand for: the same access, schemas and errors, under the
 * alias's path and an operationId of its own.
 */
import { openapiPath } from "./document.ts";
import type { Operation } from "./operation.ts";

/** Requests to `alias` (and, with `prefix`, to the paths below it) are routed as `target`. */
export interface PathAlias {
  alias: string;
  target: string;
  prefix?: boolean;
}

export interface AliasNaming {
  /** Whose paths these are, for summaries and descriptions ("seed 003"). */
  label: string;
  /** Appended to the target's operationId (`createChatCompletion` → `createChatCompletionSeed003`). */
  idSuffix: string;
  /** The tag the aliases are listed under (else the target's). */
  tag?: string;
}

/** The alias path of a declared path, or undefined when the alias does not cover it. */
export function aliasedPath(path: string, { alias, target, prefix }: PathAlias): string | undefined {
  if (path === target) return alias;
  if (prefix && path.startsWith(`${target}/`)) return alias + path.slice(target.length);
  return undefined;
}

/**
 * One operation per alias and declared operation it covers; throws when an alias covers no
 * declaration, so an alias whose target is renamed cannot silently drop out of the docs.
 */
export function aliasOperations(operations: readonly Operation[], aliases: readonly PathAlias[], naming: AliasNaming): Operation[] {
  return aliases.flatMap((a) => {
    const covered = operations.flatMap((op) => {
      const path = aliasedPath(op.path, a);
      return path === undefined ? [] : [{ op, path }];
    });
    if (covered.length === 0) throw new Error(`openapi: the alias ${a.alias} stands for ${a.target}, which no operation declares`);
    return covered.map(({ op, path }) => {
      const target = `${op.method.toUpperCase()} ${openapiPath(op.path)}`;
      const standsFor = `The ${naming.label} path for \`${target}\`, answered by it: the same credential, input, answer and errors.`;
      return {
        ...op,
        path,
        operationId: `${op.operationId}${naming.idSuffix}`,
        summary: `${op.summary} (the ${naming.label} path)`,
        description: op.description ? `${standsFor} ${op.description}` : standsFor,
        tag: naming.tag ?? op.tag,
      };
    });
  });
}
