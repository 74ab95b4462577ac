// Which hosts a webhook may be sent to: IP literals outside the public internet and internal names are refused.

/**
 * IPv4 ranges that are not public unicast (IANA special-purpose registry):
 * [first address as a number, prefix length, what it is].
 */
const IPV4_SPECIAL: readonly [string, number, string][] = [
  ["0.0.0.0", 8, "unspecified (this network)"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "shared address space (CGNAT)"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "reserved (6to4 relay)"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

/** Names that only mean something inside a network (RFC 6761, 6762, 8375 and the like). */
const INTERNAL_SUFFIXES = ["localhost", "local", "internal", "intranet", "lan", "home", "corp", "localdomain", "arpa"];

function ipv4Number(dotted: string): number | null {
  const parts = dotted.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inRange(address: number, first: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(ipv4Number(first)! / size);
}

/** What kind of non-public IPv4 address this is, or null for a public one. */
export function ipv4Kind(address: number): string | null {
  if (address === 0xffffffff) return "broadcast";
  return IPV4_SPECIAL.find(([first, prefix]) => inRange(address, first, prefix))?.[2] ?? null;
}

/** The eight 16-bit groups of an IPv6 address as the URL parser writes it (no brackets, no zone). */
function ipv6Groups(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (half: string) => (half === "" ? [] : half.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ([...head, ...tail].some(Number.isNaN) || (halves.length === 1 ? missing !== 0 : missing < 1)) return null;
  return [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
}

const embeddedV4 = (high: number, low: number) => high * 65536 + low;

/** What kind of non-public IPv6 address this is, or null for a public one. */
export function ipv6Kind(g: readonly number[]): string | null {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && g[7] === 1) return "loopback";
  // An IPv4 address carried in IPv6 (mapped, compatible, NAT64, 6to4) is what it carries.
  if (zeroUpTo(5) && g[5] === 0xffff) return ipv4Kind(embeddedV4(g[6]!, g[7]!)) ?? null;
  if (zeroUpTo(6)) return ipv4Kind(embeddedV4(g[6]!, g[7]!)) ?? "reserved (IPv4-compatible)";
  if (g[0] === 0x64 && g[1] === 0xff9b) return g.slice(2, 6).every((x) => x === 0) ? ipv4Kind(embeddedV4(g[6]!, g[7]!)) : "local-use NAT64";
  if (g[0] === 0x2002) return ipv4Kind(embeddedV4(g[1]!, g[2]!)) ?? null;
  const first = g[0]!;
  if (first >= 0xff00) return "multicast";
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xffc0) === 0xfec0) return "site-local (deprecated)";
  if ((first & 0xfe00) === 0xfc00) return "unique local (private)";
  if (first === 0x2001 && g[1] === 0x0db8) return "documentation";
  if (first === 0x3fff && g[1]! < 0x1000) return "documentation";
  if (first === 0x2001 && g[1]! < 0x0200) return "IETF protocol assignments (Teredo, ORCHID, ...)";
  if (first === 0x0100 && g[1] === 0 && g[2] === 0 && g[3] === 0) return "discard-only";
  // Only 2000::/3 is allocated as global unicast; everything else is reserved.
  if ((first & 0xe000) !== 0x2000) return "reserved";
  return null;
}

export type HostKind = { kind: "public" } | { kind: "loopback" } | { kind: "refused"; why: string };

/**
 * What a URL's hostname (as `new URL` normalises it: IPv4 literals in decimal,
 * hex, octal or short forms come out dotted, IPv6 bracketed and compressed)
 * points at. Names are judged by what they say, as no DNS lookup is possible
 * here: internal suffixes, single labels, and names that spell out a
 * non-public IPv4 address (`10.0.0.1.nip.io`, `10-0-0-1.sslip.io`) are refused.
 */
export function hostKind(hostname: string): HostKind {
  const host = hostname.replace(/\.$/, "").toLowerCase();
  if (host.startsWith("[")) {
    const groups = ipv6Groups(host.slice(1, -1));
    if (!groups) return { kind: "refused", why: "not an IPv6 address" };
    const kind = ipv6Kind(groups);
    return kind === null ? { kind: "public" } : kind === "loopback" ? { kind: "loopback" } : { kind: "refused", why: `a ${kind} address` };
  }
  const v4 = ipv4Number(host);
  if (v4 !== null) {
    const kind = ipv4Kind(v4);
    return kind === null ? { kind: "public" } : kind === "loopback" ? { kind: "loopback" } : { kind: "refused", why: `a ${kind} address` };
  }
  if (host === "localhost" || host.endsWith(".localhost")) return { kind: "loopback" };
  if (!host.includes(".")) return { kind: "refused", why: "a name without a domain resolves only inside a network" };
  const suffix = INTERNAL_SUFFIXES.find((s) => host.endsWith(`.${s}`));
  if (suffix) return { kind: "refused", why: `.${suffix} names resolve only inside a network` };
  const spelled = spelledIpv4(host);
  if (spelled !== null && ipv4Kind(spelled) !== null) return { kind: "refused", why: `the name spells out a ${ipv4Kind(spelled)} address` };
  return { kind: "public" };
}

/** The first IPv4 address a name spells out in four labels (1.2.3.4.x) or one (1-2-3-4.x), if any. */
function spelledIpv4(host: string): number | null {
  const labels = host.split(".");
  for (let i = 0; i + 4 <= labels.length; i++) {
    const n = ipv4Number(labels.slice(i, i + 4).join("."));
    if (n !== null) return n;
  }
  for (const label of labels) {
    const m = /(?:^|[^0-9])(\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3})(?:$|[^0-9])/.exec(label);
    const n = m ? ipv4Number(m[1]!.replace(/-/g, ".")) : null;
    if (n !== null) return n;
  }
  return null;
}
