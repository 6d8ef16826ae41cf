/** API docs of the scheduler status (src/routes/status.ts). */
import { operations } from "../../openapi/operation.ts";
import { gatewayStatus } from "./views.ts";

export const statusOperations = operations({ tag: "Status", access: "admin" }, [
  {
    method: "get",
    path: "/api/status",
    operationId: "gatewayStatus",
    summary: "Per deployment: the governor's lanes, limits, breaker and health; per provider: the task backlog",
    response: { status: 200, description: "The status per provider", schema: gatewayStatus, name: "GatewayStatus" },
  },
]);
