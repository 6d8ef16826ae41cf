/** API docs of the request log (src/routes/logs.ts). */
import { operations } from "../../openapi/operation.ts";
import { filters } from "../logs.ts";
import { listOf, requestLog } from "./views.ts";

export const logOperations = operations({ tag: "Logs", access: "caller" }, [
  {
    method: "get",
    path: "/api/logs",
    operationId: "listRequestLogs",
    summary: "Recent request logs, newest first (admins: everyone's; users: their own)",
    description: "One row per attempt: a call that failed over has a row for each deployment it tried. `since` and `before` are milliseconds since the Unix epoch.",
    query: filters,
    response: { status: 200, description: "The log rows", schema: listOf(requestLog), name: "RequestLogList" },
  },
]);
