/** API docs of the task API (src/routes/tasks.ts). */
import { operations } from "../../openapi/operation.ts";
import { taskRequest } from "../../tasks/task-request.ts";
import { listQuery } from "../tasks.ts";
import { task, taskList } from "./views.ts";

const NO_TASK = "No such task, or another tenant's (`task_not_found`).";
const id = { id: "The task's id." };

export const taskOperations = operations({ tag: "Tasks", access: "caller" }, [
  {
    method: "post",
    path: "/v1/tasks",
    operationId: "createTask",
    summary: "Submit a task",
    description:
      "A chat completion body plus an optional `deadline` (ISO 8601; TASK_DEFAULT_DEADLINE_MS from now when left out) and `metadata`. The task runs on the task lane when capacity is idle; poll `GET /v1/tasks/{id}` for its result.",
    body: taskRequest,
    headers: { "Idempotency-Key": "Submitting again with the same key (at most 255 characters) returns the first task instead of a new one." },
    response: { status: 202, description: "The task, queued", schema: task, name: "Task" },
    errors: {
      400: "`stream: true` (tasks cannot stream), a deadline in the past, a field no deployment of the model can take, or an Idempotency-Key longer than 255 characters.",
      403: "The key may not use this model (`model_not_allowed`).",
      404: "No such model (`model_not_found`).",
      422: "The Idempotency-Key was used before with a different body (`idempotency_key_reused`).",
    },
  },
  {
    method: "get",
    path: "/v1/tasks",
    operationId: "listTasks",
    summary: "List the caller's tasks, newest first",
    query: listQuery,
    response: { status: 200, description: "A page of tasks", schema: taskList, name: "TaskList" },
  },
  {
    method: "get",
    path: "/v1/tasks/:id",
    operationId: "retrieveTask",
    summary: "Read a task: its status and, once done, its result or error",
    params: id,
    response: { status: 200, description: "The task", schema: task },
    errors: { 404: NO_TASK },
  },
  {
    method: "delete",
    path: "/v1/tasks/:id",
    operationId: "cancelTask",
    summary: "Cancel a task",
    description: "A queued or running task ends `cancelled` (a running call is aborted); a finished one stays as it is.",
    params: id,
    response: { status: 200, description: "The task after cancelling", schema: task },
    errors: { 404: NO_TASK },
  },
]);
