/** API docs of the user admin API (src/routes/users.ts). */
import { operations } from "../../openapi/operation.ts";
import { newUser, userPatch } from "../users.ts";
import { deleted, listOf, user } from "./views.ts";

const id = { id: "The user's id." };
const NOT_FOUND = "No such user (`user_not_found`).";

export const userOperations = operations({ tag: "Users", access: "admin" }, [
  {
    method: "get",
    path: "/api/users",
    operationId: "listUsers",
    summary: "List users",
    response: { status: 200, description: "The users", schema: listOf(user), name: "UserList" },
  },
  {
    method: "post",
    path: "/api/users",
    operationId: "createUser",
    summary: "Create a user",
    body: newUser,
    bodyName: "NewUser",
    response: { status: 201, description: "The user", schema: user },
    errors: { 409: "The username or email is already registered (`user_exists`)." },
  },
  {
    method: "patch",
    path: "/api/users/:id",
    operationId: "updateUser",
    summary: "Change a user's role or limits (rpm, tpm, daily and monthly budgets over all their keys), or disable or enable them",
    description: "Disabling revokes the user's keys, cancels their open tasks and ends their tokens at once.",
    params: id,
    body: userPatch,
    bodyName: "UserPatch",
    response: { status: 200, description: "The user after the change", schema: user },
    errors: { 404: NOT_FOUND },
  },
  {
    method: "delete",
    path: "/api/users/:id",
    operationId: "deleteUser",
    summary: "Delete a user (their keys are revoked and open tasks cancelled)",
    params: id,
    response: { status: 200, description: "The user is gone", schema: deleted("user"), name: "DeletedUser" },
    errors: { 404: NOT_FOUND },
  },
]);
