/** API docs of sign-up and sign-in (src/routes/auth.ts). */
import { newAccount } from "../../auth/accounts.ts";
import { operations } from "../../openapi/operation.ts";
import { credentials } from "../auth.ts";
import { accessToken, user } from "./views.ts";

export const authOperations = operations({ tag: "Auth", access: "public" }, [
  {
    method: "post",
    path: "/api/auth/register",
    operationId: "register",
    summary: "Sign up",
    description: "Open only with ALLOW_REGISTRATION=true; otherwise an admin creates users with `POST /api/users`.",
    body: newAccount,
    bodyName: "NewAccount",
    response: { status: 201, description: "The new user", schema: user, name: "User" },
    errors: {
      403: "Sign-up is closed on this gateway (`registration_closed`).",
      409: "The username or email cannot be registered (`registration_conflict`).",
      429: "Too many sign-ups or failed sign-ins from this client; see `Retry-After`.",
    },
  },
  {
    method: "post",
    path: "/api/auth/token",
    operationId: "createAccessToken",
    summary: "Exchange username and password for an access token",
    description: "The OAuth2 password grant: form fields (or JSON) `username` and `password`. The token is a JWT valid for JWT_TTL_SECONDS.",
    body: credentials,
    bodyName: "PasswordGrant",
    form: true,
    response: { status: 200, description: "The bearer token", schema: accessToken, name: "AccessToken" },
    errors: {
      401: "Incorrect username or password (`invalid_credentials`).",
      403: "The account is disabled (`account_disabled`).",
      429: "Too many failed sign-ins from this client or for this username (LOGIN_FAILURES_PER_USERNAME); see `Retry-After`.",
    },
  },
]);
