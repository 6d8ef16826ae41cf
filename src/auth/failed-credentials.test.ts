import { describe, expect, it } from "vitest";
import { clientAddress } from "./failed-credentials.ts";

const at = (ip: string) => clientAddress(new Request("http://gateway.test", { headers: { "cf-connecting-ip": ip } }));

describe("clientAddress", () => {
  it("counts an IPv6 client by its /64, however the address is spelled", () => {
    expect(at("2001:db8:0:1:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:0:1::/64");
    expect(at("2001:db8:0:1::ffff")).toBe("2001:db8:0:1::/64");
    expect(at("2001:0DB8:0000:0001::1")).toBe("2001:db8:0:1::/64");
    expect(at("2001:db8::1")).toBe("2001:db8:0:0::/64");
  });

  it("keeps an IPv4 address whole, and names a missing one", () => {
    expect(at("203.0.113.9")).toBe("203.0.113.9");
    expect(clientAddress(new Request("http://gateway.test"))).toBe("unknown");
  });
});
