import { defineConfig } from "prisma/config";

// The CLI only needs the schema for `prisma generate`; migrations are applied by scripts/migrate.ts
// (Prisma's schema engine cannot be downloaded offline; see README "Database").
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
