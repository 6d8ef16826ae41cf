/** API docs of the routing document (src/routes/routing.ts). */
import { operations } from "../../openapi/operation.ts";
import { routingDocument } from "../../routing/routing-document.ts";
import { routing } from "./views.ts";

export const routingOperations = operations({ tag: "Routing", access: "admin" }, [
  {
    method: "get",
    path: "/api/routing",
    operationId: "retrieveRouting",
    summary: "The routing in force: default strategy, each model's strategy and aliases, overrides",
    response: { status: 200, description: "The routing in force, gateway.yaml's and the stored document", schema: routing, name: "Routing" },
  },
  {
    method: "put",
    path: "/api/routing",
    operationId: "replaceRouting",
    summary: "Replace the stored routing document",
    description: "The stored document wins over gateway.yaml's `routing:` field by field (per model for models).",
    body: routingDocument,
    bodyName: "RoutingDocument",
    response: { status: 200, description: "The stored document" },
    errors: { 400: "An alias that is a model of its own." },
  },
]);
