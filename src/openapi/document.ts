/**
 * Builds the OpenAPI 3.1 document from the declared operations: zod schemas become JSON Schema
 * (draft 2020-12, OpenAPI 3.1's dialect) through zod's own `z.toJSONSchema`, request bodies on
 * their input side and responses on their output side, each named under components.schemas.
 */
import { z } from "zod";
import { ERROR_SCHEMA_NAMES, errorBodies, errorDialectOf, errorsOf } from "./error-responses.ts";
import type { Access, Operation } from "./operation.ts";

type Json = Record<string, unknown>;

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
  /** A description for each tag, in the order the docs list them; tags not named come after. */
  tags: Record<string, string>;
}

/** Hono's `:name` and `:name{regex}` path parameters, in order. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_]\w*)(?:\{[^}]+\})?/g)].map((m) => m[1]!);
}

/** A Hono path in OpenAPI's syntax: `/v1/models/:id{.+}/test` → `/v1/models/{id}/test`. */
export function openapiPath(path: string): string {
  const plain = path.replace(/:([A-Za-z_]\w*)(?:\{[^}]+\})?/g, "{$1}");
  return plain.length > 1 ? plain.replace(/\/+$/, "") : plain;
}

const SECURITY: Record<Access, Json[]> = {
  public: [],
  caller: [{ bearer: [] }, { apiKey: [] }],
  admin: [{ bearer: [] }, { apiKey: [] }],
  internal: [{ internalKey: [] }],
};

const securitySchemes = {
  bearer: {
    type: "http",
    scheme: "bearer",
    description:
      "`Authorization: Bearer <credential>`: a gateway API key (`sk-gw-…`, from `POST /api/keys`), a user's access token (a JWT from `POST /api/auth/token`), or the root ADMIN_API_KEY. Admin endpoints need the admin role: the root key, an admin user's token, or a key an admin made.",
  },
  apiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "The same credential in `x-api-key`, as Anthropic's clients send it (read when there is no Authorization header)." },
  internalKey: { type: "http", scheme: "bearer", description: "`Authorization: Bearer <INTERNAL_API_KEY>`: for self-hosted backends registering themselves. Closed (403) while INTERNAL_API_KEY is unset." },
};

const ACCESS_NOTE: Record<Access, string> = {
  public: "No credential needed.",
  caller: "",
  admin: "Admin only.",
  internal: "For backends: Bearer INTERNAL_API_KEY.",
};

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** JSON Schema of one zod schema, without the `$schema` line a component does not carry. */
function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

/** Names zod schemas for one side (input or output), reusing one name for one schema object. */
class SchemaNames {
  readonly registry = z.registry<{ id: string }>();
  readonly #names = new Map<z.ZodType, string>();
  /** Names taken on either side: both end up in one components.schemas. */
  readonly #taken: Set<string>;
  constructor(taken: Set<string>) {
    this.#taken = taken;
  }
  name(schema: z.ZodType, wanted: string): string {
    const known = this.#names.get(schema);
    if (known) return known;
    if (this.#taken.has(wanted)) throw new Error(`openapi: two schemas are named ${wanted}; give one another name`);
    this.#names.set(schema, wanted);
    this.#taken.add(wanted);
    this.registry.add(schema, { id: wanted });
    return wanted;
  }
  /** Every named schema as JSON Schema, each referring to the others by `$ref`. */
  components(io: "input" | "output"): Record<string, Json> {
    if (this.#names.size === 0) return {};
    const { schemas } = z.toJSONSchema(this.registry, { io, unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` });
    return Object.fromEntries(Object.entries(schemas).map(([name, s]) => {
      const { $schema: _s, $id: _i, ...rest } = s as Json;
      return [name, rest];
    }));
  }
}

function parametersOf(op: Operation): Json[] {
  const path = pathParameters(op.path).map((name) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
    ...(op.params?.[name] ? { description: op.params[name] } : {}),
  }));
  const query = Object.entries(op.query?.shape ?? {}).map(([name, field]) => {
    const schema = jsonSchemaOf(field as z.ZodType, "input");
    const { description, ...rest } = schema;
    return { name, in: "query", required: !(field as z.ZodType).safeParse(undefined).success, schema: rest, ...(description ? { description } : {}) };
  });
  const headers = Object.entries(op.headers ?? {}).map(([name, description]) => ({ name, in: "header", required: false, schema: { type: "string" }, description }));
  return [...path, ...query, ...headers];
}

/** The OpenAPI 3.1 document of these operations; throws on two declarations of one route or two schemas of one name. */
export function openapiDocument(operations: readonly Operation[], info: DocumentInfo): Json {
  const taken = new Set(Object.values(ERROR_SCHEMA_NAMES));
  const inputs = new SchemaNames(taken);
  const outputs = new SchemaNames(taken);
  const paths: Record<string, Record<string, Json>> = {};
  const ids = new Set<string>();

  for (const op of operations) {
    const path = openapiPath(op.path);
    const item = (paths[path] ??= {});
    if (item[op.method]) throw new Error(`openapi: ${op.method.toUpperCase()} ${op.path} is declared twice`);
    const id = op.operationId;
    if (ids.has(id)) throw new Error(`openapi: two operations are named ${id}`);
    ids.add(id);

    const responses: Record<string, Json> = {};
    const successes = Array.isArray(op.response) ? op.response : [op.response];
    successes.forEach((success, i) => {
      const content: Json = {};
      if (success.contentType) content[success.contentType] = { schema: { type: "string" } };
      else {
        const names = success.side === "input" ? inputs : outputs;
        const schema = success.schema ? ref(names.name(success.schema, success.name ?? `${pascal(id)}Response${i ? success.status : ""}`)) : { type: "object" };
        for (const type of ["application/json", ...(success.mediaTypes ?? [])]) content[type] = { schema };
      }
      if (success.stream) content["text/event-stream"] = { schema: { type: "string", description: success.stream } };
      responses[String(success.status)] = { description: success.description, content };
    });
    const errorSchema = ref(ERROR_SCHEMA_NAMES[errorDialectOf(op)]);
    for (const [status, description] of errorsOf(op)) {
      responses[String(status)] = {
        description,
        ...(status === 429 || status === 503 ? { headers: { "Retry-After": { description: "Seconds to wait before trying again, when known.", schema: { type: "integer" } } } } : {}),
        content: { "application/json": { schema: errorSchema } },
      };
    }

    const parameters = parametersOf(op);
    let requestBody: Json | undefined;
    if (op.body) {
      const schema = ref(inputs.name(op.body, op.bodyName ?? `${pascal(id)}Request`));
      const types = ["application/json", ...(op.form ? ["application/x-www-form-urlencoded"] : []), ...(op.bodyMediaTypes ?? [])];
      requestBody = { required: !op.bodyOptional, content: Object.fromEntries(types.map((type) => [type, { schema }])) };
    }
    const description = [ACCESS_NOTE[op.access], op.description ?? ""].filter(Boolean).join(" ");
    item[op.method] = {
      operationId: id,
      summary: op.summary,
      ...(description ? { description } : {}),
      tags: [op.tag],
      security: SECURITY[op.access],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }

  const used = new Set(operations.map((op) => op.tag));
  const tagOrder = [...Object.keys(info.tags).filter((t) => used.has(t)), ...[...used].filter((t) => !(t in info.tags))];
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version, description: info.description, license: { name: "MIT", identifier: "MIT" } },
    // Relative: the gateway that serves this document.
    servers: [{ url: "/", description: "This gateway" }],
    tags: tagOrder.map((name) => ({ name, ...(info.tags[name] ? { description: info.tags[name] } : {}) })),
    paths,
    components: {
      schemas: {
        ...inputs.components("input"),
        ...outputs.components("output"),
        [ERROR_SCHEMA_NAMES.openai]: jsonSchemaOf(errorBodies.openai, "output"),
        [ERROR_SCHEMA_NAMES.anthropic]: jsonSchemaOf(errorBodies.anthropic, "output"),
      },
      securitySchemes,
    },
  };
}

