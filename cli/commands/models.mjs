/** `models`: the models the key may use (`GET /v1/models`), as a table. */
import { table } from "../format.mjs";

/** @param {import("../main.mjs").CommandInput} input */
export async function models({ client, flags, io }) {
  const { body } = await client.json("GET", "/v1/models");
  if (flags.json) {
    io.out.write(`${JSON.stringify(body, null, 2)}\n`);
    return 0;
  }
  /** @type {{ id: string; owned_by: string }[]} */
  const data = body.data;
  if (data.length === 0) {
    io.err.write("no models: the gateway has no provider this key may use\n");
    return 0;
  }
  io.out.write(table(["MODEL", "PROVIDER"], data.map((m) => [m.id, m.owned_by])));
  return 0;
}
