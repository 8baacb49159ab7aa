import { isIP } from "node:net";

/**
 * Who is on the other end of a request, and by which scheme and host it reached us, believing
 * forwarding headers only from configured proxies (TRUSTED_PROXIES).
 *
 * The production server (scripts/support/app-process.ts) writes the TCP peer's address into
 * {@link PEER_ADDRESS_HEADER}, replacing whatever a client sent under that name. Next.js itself
 * keeps a client's own X-Forwarded-For, so without the peer a forged header could not be told
 * from a proxy's.
 */
export const PEER_ADDRESS_HEADER = "x-ctt-peer-address";

/** Trusted proxies: exact addresses, or IPv4/IPv6 CIDR ranges ("10.0.0.0/8", "::1/128"). */
export type TrustedProxies = readonly string[];

function ipv4ToBigInt(address: string): bigint {
  return address.split(".").reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  // "::ffff:1.2.3.4" and other embedded IPv4 tails become two 16-bit groups.
  let text = address;
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4?.[1]) {
    const value = ipv4ToBigInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return groups.reduce((value, group) => (value << 16n) | BigInt(parseInt(group || "0", 16)), 0n);
}

/** An address in canonical comparable form: IPv4-mapped IPv6 ("::ffff:10.0.0.1") as plain IPv4. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, "");
  const mapped = trimmed.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i);
  return (mapped?.[1] ?? trimmed).toLowerCase();
}

/** Whether `address` is one of `trusted` (addresses or CIDR ranges). */
export function isTrustedProxy(address: string, trusted: TrustedProxies): boolean {
  const candidate = normalizeAddress(address);
  const family = isIP(candidate);
  if (family === 0) return false;
  return trusted.some((entry) => {
    const [range = "", bitsText] = entry.split("/");
    const base = normalizeAddress(range);
    if (isIP(base) !== family) return false;
    const width = family === 4 ? 32 : 128;
    const bits = bitsText === undefined ? width : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > width) return false;
    const toBigInt = family === 4 ? ipv4ToBigInt : ipv6ToBigInt;
    const shift = BigInt(width - bits);
    return toBigInt(candidate) >> shift === toBigInt(base) >> shift;
  });
}

/** Whether a TRUSTED_PROXIES entry is an address or a CIDR range (checked once, in lib/config). */
export function isProxyEntry(entry: string): boolean {
  const [range = "", bits, extra] = entry.split("/");
  if (extra !== undefined) return false;
  const family = isIP(normalizeAddress(range));
  if (family === 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

function firstValue(header: string | null): string | null {
  const value = header?.split(",")[0]?.trim();
  return value ? value : null;
}

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy; then X-Forwarded-For is
 * read from the right (each proxy appends the address it saw), skipping trusted proxies, and the
 * first untrusted entry is the client. Entries left of it are whatever the client wrote, never
 * believed. Without the peer header (`next dev`), the address Next.js records is used.
 */
export function clientAddressOf(headers: Headers, trusted: TrustedProxies): string {
  const peer = headers.get(PEER_ADDRESS_HEADER);
  if (!peer) return normalizeAddress(headers.get("x-forwarded-for")?.split(",").at(-1) ?? "") || "unknown";
  let client = normalizeAddress(peer);
  if (!isTrustedProxy(client, trusted)) return client;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index--) {
    client = normalizeAddress(hops[index] as string);
    if (!isTrustedProxy(client, trusted)) return client;
  }
  return client;
}

/**
 * The origin (scheme and host) the client used: X-Forwarded-Proto and X-Forwarded-Host when the
 * peer is a trusted proxy (a TLS proxy in front makes links https://), else the Host header over
 * plain HTTP, which is what this server itself speaks.
 */
export function publicOriginOf(headers: Headers, trusted: TrustedProxies): string {
  const peer = headers.get(PEER_ADDRESS_HEADER);
  const host = headers.get("host") ?? "localhost";
  if (!peer || !isTrustedProxy(peer, trusted)) return `http://${host}`;
  const proto = firstValue(headers.get("x-forwarded-proto"));
  const forwardedHost = firstValue(headers.get("x-forwarded-host"));
  return `${proto === "https" ? "https" : "http"}://${forwardedHost ?? host}`;
}
