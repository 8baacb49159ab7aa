import { createHash } from "node:crypto";
import type { Protocol } from "@/lib/contract/protocol";

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the protocol's canonical JSON (keys sorted): the same protocol always hashes alike. */
export function hashProtocol(protocol: Protocol): string {
  return createHash("sha256").update(canonicalJson(protocol)).digest("hex");
}
