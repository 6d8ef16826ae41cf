/** API docs of seed 003's router control (src/routes/router.ts). */
import { operations } from "../../openapi/operation.ts";
import { routingRuleInput } from "../../routing/rules.ts";
import { rulePatch, toggleRequest } from "../router.ts";
import { deleted, listOf, routerSwitch, routingRule, ruleMetrics, switchHistory } from "./views.ts";

const id = { id: "The rule's id." };
const NOT_FOUND = "No such rule (`rule_not_found`).";

export const routerOperations = operations({ tag: "Router (seed 003)", access: "admin" }, [
  {
    method: "get",
    path: "/api/v1/router/rules",
    operationId: "listRoutingRules",
    summary: "List routing rules in priority order",
    response: { status: 200, description: "The rules", schema: listOf(routingRule), name: "RoutingRuleList" },
  },
  {
    method: "post",
    path: "/api/v1/router/rules",
    operationId: "createRoutingRule",
    summary: "Add a routing rule",
    description: "A condition (`regex` over the prompt, or `complexity` between min and max) and an action (`use_model` or `use_provider`).",
    body: routingRuleInput,
    bodyName: "NewRoutingRule",
    response: { status: 201, description: "The rule", schema: routingRule, name: "RoutingRule" },
  },
  {
    method: "patch",
    path: "/api/v1/router/rules/:id",
    operationId: "updateRoutingRule",
    summary: "Change a routing rule",
    params: id,
    body: rulePatch,
    bodyName: "RoutingRulePatch",
    response: { status: 200, description: "The rule after the change", schema: routingRule },
    errors: { 404: NOT_FOUND },
  },
  {
    method: "delete",
    path: "/api/v1/router/rules/:id",
    operationId: "deleteRoutingRule",
    summary: "Delete a routing rule",
    params: id,
    response: { status: 200, description: "The rule is gone", schema: deleted("routing_rule"), name: "DeletedRoutingRule" },
    errors: { 404: NOT_FOUND },
  },
  {
    method: "get",
    path: "/api/v1/router/metrics",
    operationId: "routingRuleMetrics",
    summary: "Each rule's hits, and the switch",
    response: { status: 200, description: "Hits per rule", schema: ruleMetrics, name: "RoutingRuleMetrics" },
  },
  {
    method: "get",
    path: "/api/v1/router/status",
    operationId: "routerSwitchStatus",
    summary: "The routing switch: its value, a pending change, when it may next change",
    response: { status: 200, description: "The switch", schema: routerSwitch, name: "RouterSwitch" },
  },
  {
    method: "get",
    path: "/api/v1/router/history",
    operationId: "routerSwitchHistory",
    summary: "The last 100 switch changes",
    response: { status: 200, description: "The changes, newest first", schema: switchHistory, name: "RouterSwitchHistory" },
  },
  {
    method: "post",
    path: "/api/v1/router/toggle",
    operationId: "toggleRouterSwitch",
    summary: "Turn rules and strategies on or off",
    description: "Takes effect after ROUTER_SWITCH_DELAY_MS; another toggle may not follow within ROUTER_SWITCH_COOLDOWN_MS of it taking effect.",
    body: toggleRequest,
    bodyName: "RouterToggle",
    response: { status: 202, description: "The switch, with the change pending", schema: routerSwitch },
    errors: { 409: "The switch already has that value, a change is pending, or it is cooling down (`switch_unchanged`, `switch_pending`, `switch_cooldown`; `Retry-After` says when it may)." },
  },
]);
