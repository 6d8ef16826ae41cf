/** A key's allowed client addresses: single IPs and CIDR ranges, IPv4 and IPv6 (via ipaddr.js). */
import ipaddr from "ipaddr.js";

/** Why an entry is not an address or a range; undefined when it is one. */
export function ipRangeProblem(entry: string): string | undefined {
  if (ipaddr.isValid(entry)) return undefined;
  try {
    ipaddr.parseCIDR(entry);
    return undefined;
  } catch {
    return `'${entry}' is not an IP address or a CIDR range (such as 203.0.113.0/24 or 2001:db8::/32)`;
  }
}

/** Whether `address` (as CF-Connecting-IP gives it) is one of `allowed`. */
export function ipAllowed(address: string | undefined, allowed: readonly string[]): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const addr = ipaddr.process(address);
  return allowed.some((entry) => {
    if (ipaddr.isValid(entry)) return ipaddr.process(entry).toNormalizedString() === addr.toNormalizedString();
    const [range, bits] = ipaddr.parseCIDR(entry);
    return range.kind() === addr.kind() && addr.match([range, bits] as never);
  });
}
