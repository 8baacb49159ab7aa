import { protocolSchema, type Protocol } from "@/lib/contract/protocol";

/** Opened studies' protocols, parsed, by hash; bounded so that a long-lived process cannot grow it without end. */
const openedProtocols = new Map<string, Protocol>();
const MAX_OPENED_PROTOCOLS = 256;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * A study's stored protocol, validated: the one place the server parses it. Once a study opens,
 * its protocol is frozen and its hash stored (lib/study/studies.ts), so the same hash always
 * names the same protocol: it is parsed once per process and then shared, frozen, by every
 * answer and trial fetch (the hottest paths). A draft's protocol (no hash) may still change and
 * is parsed on each read.
 */
export function readStoredProtocol(raw: unknown, protocolHash: string | null): Protocol {
  if (protocolHash === null) return protocolSchema.parse(raw);
  const known = openedProtocols.get(protocolHash);
  if (known) return known;
  const protocol = deepFreeze(protocolSchema.parse(raw));
  if (openedProtocols.size >= MAX_OPENED_PROTOCOLS) {
    const oldest = openedProtocols.keys().next().value;
    if (oldest !== undefined) openedProtocols.delete(oldest);
  }
  openedProtocols.set(protocolHash, protocol);
  return protocol;
}
