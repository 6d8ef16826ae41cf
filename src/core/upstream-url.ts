/**
 * The guard on every upstream address (provider base URLs, auth URLs): http(s) only, no
 * credentials in the URL, and no loopback, private, link-local, metadata or unspecified host in
 * any spelling unless private upstreams are allowed. The WHATWG URL parser already turns decimal,
 * hex, octal and short IPv4 forms into dotted quads; this module reads the result, IPv4-mapped
 * and other IPv4-embedding IPv6 forms included. Names are judged by spelling only: a public name
 * that resolves to a private address is not caught here (Workers cannot resolve DNS themselves).
 */

/** Why `raw` may not be called, or undefined when it may. */
export function upstreamUrlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http or https";
  if (url.username || url.password) return "must not carry credentials (user:password@); put the key in api_key";
  if (allowPrivate) return undefined;
  const kind = privateHostKind(url.hostname);
  return kind ? `points at a ${kind} address, refused unless ALLOW_PRIVATE_UPSTREAMS=true` : undefined;
}

/** The URL with any user:password removed, for showing a stored address back. */
export function withoutCredentials(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.username && !url.password) return raw;
    url.username = "";
    url.password = "";
    return url.toString().replace(/\/$/, raw.endsWith("/") ? "/" : "");
  } catch {
    return raw;
  }
}

const PRIVATE_NAMES = new Set(["localhost", "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);
const PRIVATE_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet"];

/** What kind of non-public host `hostname` (as `URL.hostname` gives it) is, or undefined for a public one. */
export function privateHostKind(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host.startsWith("[") && host.endsWith("]")) return ipv6Kind(host.slice(1, -1));
  const v4 = parseIpv4(host);
  if (v4 !== undefined) return ipv4Kind(v4);
  if (PRIVATE_NAMES.has(host) || PRIVATE_SUFFIXES.some((s) => host.endsWith(s))) return "private or metadata host name";
  // A single-label name ("router", "ollama") resolves through local search domains: private.
  if (!host.includes(".")) return "single-label (intranet) host name";
  return undefined;
}

function parseIpv4(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** [base, prefix length, kind] of IPv4 ranges that are not the public internet. */
const IPV4_RANGES: [number, number, string][] = [
  [ip4(0, 0, 0, 0), 8, "unspecified"],
  [ip4(10, 0, 0, 0), 8, "private (RFC 1918)"],
  [ip4(100, 64, 0, 0), 10, "shared (CGNAT)"],
  [ip4(127, 0, 0, 0), 8, "loopback"],
  [ip4(169, 254, 0, 0), 16, "link-local (cloud metadata)"],
  [ip4(172, 16, 0, 0), 12, "private (RFC 1918)"],
  [ip4(192, 0, 0, 0), 24, "IETF protocol"],
  [ip4(192, 168, 0, 0), 16, "private (RFC 1918)"],
  [ip4(198, 18, 0, 0), 15, "benchmarking"],
  [ip4(224, 0, 0, 0), 4, "multicast"],
  [ip4(240, 0, 0, 0), 4, "reserved"],
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a * 256 + b) * 256 + c) * 256 + d;
}

function ipv4Kind(addr: number): string | undefined {
  for (const [base, bits, kind] of IPV4_RANGES) {
    const size = 2 ** (32 - bits);
    if (addr >= base && addr < base + size) return kind;
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (as the URL parser serialises it), or undefined. */
function parseIpv6(text: string): number[] | undefined {
  let s = text;
  // A dotted IPv4 tail ("::ffff:1.2.3.4") becomes two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const v4 = parseIpv4(tail[1]!);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, -tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const read = (part: string) => (part ? part.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const head = read(halves[0]!);
  const rest = halves.length === 2 ? read(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  return groups.some(Number.isNaN) ? undefined : groups;
}

function ipv6Kind(text: string): string | undefined {
  const g = parseIpv6(text);
  if (!g) return "unparseable IPv6";
  const [a, b, c, d, e, f, h, i] = g as [number, number, number, number, number, number, number, number];
  const embedded = (hi: number, lo: number) => ipv4Kind(hi * 65536 + lo);
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && i === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d) and IPv4-compatible
  // (::a.b.c.d): judged by the IPv4 inside.
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && (f === 0xffff || f === 0)) return embedded(h, i) ?? (f === 0 ? "IPv4-compatible" : undefined);
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0xffff && f === 0) return embedded(h, i) ?? "IPv4-translated";
  // NAT64 (64:ff9b::/96, and the local-use 64:ff9b:1::/48) and 6to4 (2002::/16) carry an IPv4 address too.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return embedded(h, i);
  if (a === 0x64 && b === 0xff9b && c === 1) return "local-use NAT64";
  if (a === 0x2002) return embedded(b, c);
  // Teredo (2001::/32) tunnels to an IPv4 host through a relay: no provider lives there.
  if (a === 0x2001 && b === 0) return "Teredo tunnel";
  if ((a & 0xffc0) === 0xfe80) return "link-local";
  if ((a & 0xffc0) === 0xfec0) return "site-local";
  if ((a & 0xfe00) === 0xfc00) return "unique local (ULA)";
  if ((a & 0xff00) === 0xff00) return "multicast";
  return undefined;
}
