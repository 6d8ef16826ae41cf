/**
 * Which deployments may serve one call, in the order to try them: the caller's own deployments of
 * the model if they have any (seed 000), else the shared ones; aliases resolved; with the routing
 * switch on, the first matching rule may send the call to another model or provider (seed 003);
 * then the model's strategy orders them (see strategy.ts), open breakers and full deployments
 * last. Deployments that cannot be called as configured are left out, and when none is left the
 * call is refused with what is wrong.
 */
import { GatewayError } from "../core/errors.ts";
import { upstreamUrlProblem } from "../core/upstream-url.ts";
import { settings, type Bindings } from "../env.ts";
import { matchRule, type PromptText, type RoutingRule } from "./rules.ts";
import { forgetRoutes, routeTable, type Deployment, type RouteTable } from "./route-table.ts";
import { orderCandidates, type Strategy } from "./strategy.ts";
import { settle } from "./switch.ts";
import { viewOf } from "./views.ts";

export interface RouteCaller {
  ownerId: string;
  allowedModels?: string[] | null | undefined;
}

export interface RouteRequest {
  /** The model name the caller asked for. */
  model: string;
  /** The prompt's text, read only when a rule needs it. */
  prompt?: (() => PromptText) | undefined;
  /** A user's model configuration (seed 000's model_config_id): exactly that deployment. */
  providerId?: string | undefined;
}

export interface RoutePlan {
  requested: string;
  /** The model that serves the call (an alias or a rule may change it). */
  model: string;
  strategy: Strategy;
  /** Every usable deployment, in the order to try. */
  deployments: Deployment[];
  /** The rule that chose the model or provider. */
  rule?: Pick<RoutingRule, "id" | "name"> | undefined;
}

/** A model missing from the table reloads it, but not more often than this. */
const MISS_RELOAD_MS = 1_000;

function known(table: RouteTable, ownerId: string, model: string): boolean {
  return table.shared.has(model) || table.routing.aliases.has(model) || Boolean(table.owned.get(ownerId)?.has(model));
}

/** Why a deployment cannot be called as configured now, or undefined. */
function unusable(env: Bindings, d: Deployment, now: number): GatewayError | undefined {
  const p = d.provider;
  if (p.keyMissing) return new GatewayError("upstream_unavailable", `provider '${p.name}' is misconfigured on the gateway: its key '${d.keyName}' is not set`, { code: "provider_key_missing" });
  // The address is checked at every call, too: the setting may have changed since it was stored.
  // A user's own provider reaches a private address only when users are allowed it (see routes/model-configs.ts).
  const allowPrivate = p.source === "user" ? settings(env).ALLOW_PRIVATE_USER_UPSTREAMS : settings(env).ALLOW_PRIVATE_UPSTREAMS;
  for (const [field, url] of [["base_url", p.baseUrl], ["auth_url", p.options.authUrl]] as const) {
    const refused = url === undefined ? undefined : upstreamUrlProblem(url, allowPrivate);
    if (refused) return new GatewayError("upstream_error", `provider '${p.name}' cannot be called: its ${field} ${refused}`, { code: "upstream_address_refused" });
  }
  if (d.heartbeatAt !== undefined && now - d.heartbeatAt > settings(env).HEARTBEAT_TIMEOUT_MS) {
    return new GatewayError("upstream_unavailable", `backend '${p.name}' has sent no heartbeat for ${Math.round((now - d.heartbeatAt) / 1000)} s`, { code: "backend_unavailable", retryAfter: 5 });
  }
  return undefined;
}

/** The deployments for one call, in order; 404 when nobody serves the model, 403 when the key may not use it. */
export async function planRoute(env: Bindings, caller: RouteCaller, request: RouteRequest, now = Date.now()): Promise<RoutePlan> {
  let table = await routeTable(env, now);
  if (request.providerId === undefined && !known(table, caller.ownerId, request.model) && now - table.builtAt >= MISS_RELOAD_MS) {
    // A model this isolate has not heard of may have been added elsewhere a moment ago: look again
    // (at most once a second, so calls for unknown models cannot turn into a D1 read each).
    forgetRoutes(env);
    table = await routeTable(env, now);
  }
  const notFound = () => new GatewayError("not_found", `The model '${request.model}' does not exist`, { param: "model", code: "model_not_found" });
  const allowed = (name: string) => !caller.allowedModels || caller.allowedModels.includes(name);
  if (request.providerId === undefined && !allowed(request.model)) {
    if (!known(table, caller.ownerId, request.model)) throw notFound();
    throw new GatewayError("forbidden", `this API key may not use the model '${request.model}'`, { param: "model", code: "model_not_allowed" });
  }

  let model = table.routing.aliases.get(request.model) ?? request.model;
  let candidates: Deployment[];
  let rule: RoutingRule | undefined;
  const switchOn = settle(table.switchState, now).state.value;
  if (request.providerId !== undefined) {
    const own = table.byProviderId.get(request.providerId);
    if (!own?.length || own[0]!.owner !== caller.ownerId) throw new GatewayError("not_found", `no model configuration '${request.providerId}'`, { param: "model_config_id", code: "model_config_not_found" });
    candidates = own;
    model = own[0]!.model;
    if (!allowed(model)) throw new GatewayError("forbidden", `this API key may not use the model '${model}'`, { param: "model_config_id", code: "model_not_allowed" });
  } else {
    const forCaller = (name: string) => table.owned.get(caller.ownerId)?.get(name) ?? table.shared.get(name) ?? [];
    candidates = forCaller(model);
    if (candidates.length === 0) throw notFound();
    if (switchOn && table.rules.length > 0 && request.prompt) {
      rule = matchRule(table.rules, request.prompt());
      if (rule?.action.type === "use_model") {
        const target = table.routing.aliases.get(rule.action.model) ?? rule.action.model;
        const list = forCaller(target);
        // A rule never sends a key's call to a model the key may not use.
        if (list.length > 0 && allowed(target) && allowed(rule.action.model)) [model, candidates] = [target, list];
        else rule = undefined;
      } else if (rule?.action.type === "use_provider") {
        const provider = rule.action.provider;
        const list = candidates.filter((d) => d.provider.name === provider);
        if (list.length > 0) candidates = list;
        else rule = undefined;
      }
    }
  }

  const problems: GatewayError[] = [];
  const usable = candidates.filter((d) => {
    const problem = unusable(env, d, now);
    if (problem) problems.push(problem);
    return !problem;
  });
  if (usable.length === 0) throw problems[0] ?? notFound();
  // Switched off, a model uses its default deployment first (declared order), rules bypassed.
  const strategy: Strategy = switchOn ? (table.routing.strategies.get(model) ?? table.routing.strategy) : "priority";
  const deployments = orderCandidates(usable, strategy, (id) => viewOf(usable.find((d) => d.id === id)!.governor, now), Math.random);
  return { requested: request.model, model, strategy, deployments, rule: rule ? { id: rule.id, name: rule.name } : undefined };
}
