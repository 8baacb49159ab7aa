import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type OpenedDatabase } from "@/lib/db/client";
import { isPoolTimeout } from "@/lib/db/connection";
import { problemResponse } from "@/lib/http/errors";
import { createTestDatabase, serverUrlForTests, type TestDatabase } from "../support/database";

// A request that finds every pooled connection busy for the pool's whole connection timeout
// (5 s, lib/db/connection.ts) is told "busy, try again" (503 with Retry-After), not "our fault"
// (500): a real pool of one connection on a real server, held by an open transaction.
const serverUrl = serverUrlForTests();

describe("pool timeout", () => {
  if (!serverUrl) it.skip("needs a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL): skipped", () => undefined);

  let database: TestDatabase | undefined;
  let onePool: OpenedDatabase | undefined;
  beforeAll(async () => {
    if (!serverUrl) return;
    database = await createTestDatabase("postgres");
    if (database.target.kind !== "postgres") throw new Error("expected a server database");
    onePool = await openDatabase({ ...database.target, poolMax: 1 });
  });
  afterAll(async () => {
    await onePool?.close();
    await database?.drop();
  });

  it.skipIf(!serverUrl)(
    "answers 503 with Retry-After while the only connection is busy, and serves again once it is free",
    async () => {
      const db = (onePool as OpenedDatabase).db;
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let holding = () => undefined as void;
      const holdingStarted = new Promise<void>((resolve) => (holding = resolve));
      const transaction = db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          holding();
          await held;
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
      await holdingStarted;
      const error = await db.$queryRaw`SELECT 1`.then(
        () => null,
        (caught: unknown) => caught,
      );
      release();
      await transaction;
      expect(isPoolTimeout(error)).toBe(true);
      const response = problemResponse(error);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ status: 503, code: "database_busy" });
      // Not every failure is "busy": anything else still maps to 500 without Retry-After.
      const other = problemResponse(new Error("something else"));
      expect(other.status).toBe(500);
      expect(other.headers.get("retry-after")).toBeNull();
      await expect(db.$queryRaw`SELECT 1`).resolves.toBeDefined();
    },
    30_000,
  );
});
