import { describe, expect, it } from "vitest";
import { clientAddressOf, isProxyEntry, isTrustedProxy, PEER_ADDRESS_HEADER, publicOriginOf } from "@/lib/http/forwarded";
import { parseConfig } from "@/lib/config";
import { csvField } from "@/lib/results/csv";
import { isStorableText } from "@/lib/http/storable-text";
import { isRaterPage, securityHeaders } from "@/lib/http/security-headers";

const headers = (values: Record<string, string>) => new Headers(values);

describe("forwarding headers believed only from trusted proxies", () => {
  it("matches addresses and CIDR ranges, IPv4-mapped IPv6 included", () => {
    expect(isTrustedProxy("127.0.0.1", ["127.0.0.1"])).toBe(true);
    expect(isTrustedProxy("::ffff:127.0.0.1", ["127.0.0.1"])).toBe(true);
    expect(isTrustedProxy("10.1.2.3", ["10.0.0.0/8"])).toBe(true);
    expect(isTrustedProxy("11.1.2.3", ["10.0.0.0/8"])).toBe(false);
    expect(isTrustedProxy("fd00::5", ["fd00::/8"])).toBe(true);
    expect(isTrustedProxy("fe80::5", ["fd00::/8"])).toBe(false);
    expect(isTrustedProxy("not an address", ["0.0.0.0/0"])).toBe(false);
    expect(["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"].every(isProxyEntry)).toBe(true);
    expect(["localhost", "10.0.0.0/33", "1.2.3.4/8/2", ""].some(isProxyEntry)).toBe(false);
    expect(parseConfig({ TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8" }).TRUSTED_PROXIES).toEqual(["127.0.0.1", "10.0.0.0/8"]);
    expect(() => parseConfig({ TRUSTED_PROXIES: "nginx" })).toThrow(/TRUSTED_PROXIES/);
  });

  it("takes the peer as the client unless the peer is a trusted proxy; then reads X-Forwarded-For from the right", () => {
    const forged = { [PEER_ADDRESS_HEADER]: "198.51.100.7", "x-forwarded-for": "1.2.3.4" };
    expect(clientAddressOf(headers(forged), [])).toBe("198.51.100.7");
    expect(clientAddressOf(headers(forged), ["127.0.0.1"])).toBe("198.51.100.7");
    // nginx appends the address it saw; whatever the client wrote to the left is not believed.
    const viaProxy = { [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": "6.6.6.6, 203.0.113.9" };
    expect(clientAddressOf(headers(viaProxy), ["127.0.0.1"])).toBe("203.0.113.9");
    const twoProxies = { [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.0.0.2" };
    expect(clientAddressOf(headers(twoProxies), ["127.0.0.1", "10.0.0.0/8"])).toBe("203.0.113.9");
    // A trusted proxy that sends no header: the proxy is all we know.
    expect(clientAddressOf(headers({ [PEER_ADDRESS_HEADER]: "::ffff:127.0.0.1" }), ["127.0.0.1"])).toBe("127.0.0.1");
  });

  it("builds links from X-Forwarded-Proto and -Host only when a trusted proxy sent them", () => {
    const tls = { host: "127.0.0.1:3000", "x-forwarded-proto": "https", "x-forwarded-host": "study.example.org" };
    expect(publicOriginOf(headers({ ...tls, [PEER_ADDRESS_HEADER]: "127.0.0.1" }), ["127.0.0.1"])).toBe("https://study.example.org");
    expect(publicOriginOf(headers({ ...tls, [PEER_ADDRESS_HEADER]: "198.51.100.7" }), ["127.0.0.1"])).toBe("http://127.0.0.1:3000");
    expect(publicOriginOf(headers({ ...tls, [PEER_ADDRESS_HEADER]: "127.0.0.1" }), [])).toBe("http://127.0.0.1:3000");
  });
});

describe("edge checks", () => {
  it("finds NUL and unpaired surrogates, and lets surrogate pairs through", () => {
    expect(isStorableText("plain, ünïcode and 😀")).toBe(true);
    expect(["a\u0000b", "\ud800", "x\udc00", "\ud83d", "😀\ude00"].map(isStorableText)).toEqual([false, false, false, false, false]);
  });

  it("neutralises spreadsheet formulas in text cells but never numbers", () => {
    expect(csvField("=HYPERLINK(\"http://x\",\"y\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    expect(csvField("+cmd|'/C calc'!A0")).toBe("'+cmd|'/C calc'!A0");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\tx")).toBe("'\tx");
    expect(csvField(-0.25)).toBe("-0.25");
    expect(csvField("Colorful")).toBe("Colorful");
  });

  it("lets only the rater page be framed, by the configured origins", () => {
    const options = { raterFrameAncestors: "https://www.mturk.com", development: false };
    expect(isRaterPage("/s/0b0c8f2e-0000-4000-8000-000000000000")).toBe(true);
    expect(isRaterPage("/studies/x")).toBe(false);
    expect(securityHeaders("/s/abc", options)["content-security-policy"]).toContain("frame-ancestors 'self' https://www.mturk.com");
    expect(securityHeaders("/s/abc", options)["x-frame-options"]).toBeUndefined();
    expect(securityHeaders("/studies/abc", options)["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(securityHeaders("/studies/abc", options)["x-frame-options"]).toBe("DENY");
  });
});
