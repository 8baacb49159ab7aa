// Runs `prisma generate` offline and online alike.
// Why: the Prisma CLI first tries to download its native schema engine, which fails on machines
// without internet. Generation never uses that engine, so when no engine is configured we point
// PRISMA_SCHEMA_ENGINE_BINARY at an existing executable (README, "Database").
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = ["/bin/false", "/usr/bin/false"].find((path) => existsSync(path));
  if (placeholder) env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const result = spawnSync("npx", ["--no-install", "prisma", "generate"], { stdio: "inherit", env });
process.exit(result.status ?? 1);
