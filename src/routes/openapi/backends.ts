/** API docs of seed 002's backend registration (src/routes/backends.ts). */
import { operations } from "../../openapi/operation.ts";
import { heartbeat, listQuery, registration } from "../backends.ts";
import { backend, backendRegistered, heartbeatReceived, listOf } from "./views.ts";

export const backendOperations = operations({ tag: "Backends (seed 002)", access: "internal" }, [
  {
    method: "post",
    path: "/internal/workers/register",
    operationId: "registerBackend",
    summary: "Register a self-hosted backend (vLLM, Ollama) as a deployment of its model",
    description: "Registering again with the same `worker_id` updates it. A backend silent for HEARTBEAT_TIMEOUT_MS is unhealthy; after three times that it is removed.",
    body: registration,
    bodyName: "BackendRegistration",
    response: { status: 201, description: "Registered", schema: backendRegistered, name: "BackendRegistered" },
    errors: { 400: "A backend_url this gateway refuses (private addresses need ALLOW_PRIVATE_UPSTREAMS)." },
  },
  {
    method: "post",
    path: "/internal/workers/heartbeat",
    operationId: "backendHeartbeat",
    summary: "A backend's heartbeat with its current load",
    body: heartbeat,
    bodyName: "BackendHeartbeat",
    response: { status: 200, description: "Received", schema: heartbeatReceived, name: "HeartbeatReceived" },
    errors: { 404: "No backend of that worker_id is registered (it may have been removed): register again (`worker_not_found`)." },
  },
  {
    method: "get",
    path: "/internal/workers",
    operationId: "listBackends",
    summary: "List registered backends and whether each is healthy",
    query: listQuery,
    response: { status: 200, description: "The backends", schema: listOf(backend), name: "BackendList" },
  },
]);
