import { getConfig } from "@/lib/config";

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof levels;

function log(level: Level, message: string, detail?: unknown): void {
  if (levels[level] < levels[getConfig().LOG_LEVEL]) return;
  const line = `[${new Date().toISOString()}] ${level.toUpperCase()} ${message}`;
  const stream = level === "error" || level === "warn" ? console.error : console.log;
  if (detail === undefined) stream(line);
  else stream(line, detail);
}

/** One small logger so that levels are set in one place (LOG_LEVEL). */
export const logger = {
  debug: (message: string, detail?: unknown) => log("debug", message, detail),
  info: (message: string, detail?: unknown) => log("info", message, detail),
  warn: (message: string, detail?: unknown) => log("warn", message, detail),
  error: (message: string, detail?: unknown) => log("error", message, detail),
};
