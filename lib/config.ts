import { z } from "zod";
import { isProxyEntry } from "@/lib/http/forwarded";

/**
 * The platform's configuration, read from the environment once and validated with zod.
 * Nothing else in the code base reads `process.env` (style.md, practice 5).
 */
const booleanFromString = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1");

const listFromString = z
  .string()
  .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean));

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** A PostgreSQL server; when absent the embedded PGlite database in PGLITE_DIR is used. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  /**
   * The same server reached directly, not through a pooler: the migrator holds a session-level
   * advisory lock across transactions, which PgBouncer in transaction mode cannot keep. Unset:
   * DATABASE_URL is direct.
   */
  DIRECT_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DIRECT_DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  PGLITE_DIR: z.string().min(1).default("./data/db"),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Address the server listens on (not HOSTNAME, which shells set to the machine name). */
  LISTEN_HOST: z.string().default("127.0.0.1"),
  /** Secure cookies: on by default in production (HTTPS behind a proxy); off for plain-HTTP dev. */
  COOKIE_SECURE: booleanFromString.optional(),
  SESSION_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  MODELS_DIR: z.string().default("./models"),
  /** onnxruntime execution providers, tried in this order. */
  EXECUTION_PROVIDERS: listFromString.default(["cuda", "webgpu", "cpu"]),
  /**
   * Run candidate generation inside the app process (the embedded default needs it: PGlite admits
   * one process). With a server, set false and run `npm run generate-candidates` workers instead,
   * so that inference (which blocks its thread) never delays raters' requests.
   */
  GENERATE_IN_APP: booleanFromString.default(true),
  IMAGE_PIXEL_LIMIT: z.coerce.number().int().min(1).default(40_000_000),
  MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).default(200 * 1024 * 1024),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /**
   * The Vulkan loader's driver list (read by the loader itself). When set, the WebGPU provider is
   * tried even on a machine without a GPU device node (a software driver such as SwiftShader).
   */
  VK_ICD_FILENAMES: z.string().optional(),
  VK_DRIVER_FILES: z.string().optional(),
  /** Rater sessions one client address may start in one study per hour (lib/study/session-start-limits.ts). */
  RATER_STARTS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(10),
  /** Rater sessions one study may start per minute, from all addresses together. */
  RATER_STARTS_PER_STUDY_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** An active session without an answer for this long is abandoned and leaves the balance. */
  RATER_SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).default(60),
  /**
   * Proxies whose X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host are believed: addresses
   * or CIDR ranges, comma-separated ("127.0.0.1,10.0.0.0/8"). Empty: no proxy; the TCP peer is
   * the client and links use the Host header over http (lib/http/forwarded.ts).
   */
  TRUSTED_PROXIES: listFromString
    .refine((entries) => entries.every(isProxyEntry), "TRUSTED_PROXIES must list IP addresses or CIDR ranges")
    .default([]),
  /**
   * Origins allowed to frame the rater page (CSP frame-ancestors), space-separated: MTurk shows an
   * ExternalQuestion inside its own page. Every other page refuses any frame.
   */
  RATER_FRAME_ANCESTORS: z
    .string()
    .regex(/^(https?:\/\/[A-Za-z0-9.:[\]-]+)( https?:\/\/[A-Za-z0-9.:[\]-]+)*$/, "RATER_FRAME_ANCESTORS must list http(s) origins separated by spaces")
    .default("https://www.mturk.com https://workersandbox.mturk.com"),
});

export type Config = z.infer<typeof configSchema> & { cookieSecure: boolean };

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an environment; exported for tests and for scripts that build a config for a child. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ""));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const config = result.data;
  return { ...config, cookieSecure: config.COOKIE_SECURE ?? config.NODE_ENV === "production" };
}

let cached: Config | undefined;

/** The process's configuration, validated on first use. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
