import { afterAll, describe, expect, it } from "vitest";
import { openSqlConnection, sqlConnectionFromPglite } from "@/lib/db/connection";
import { openDatabase } from "@/lib/db/client";
import { applyMigrations, readMigrations } from "@/lib/db/migrate";
import { createEmptyTarget, databaseKinds } from "../support/database";
import { sha256Hex } from "@/lib/crypto";

describe.each(databaseKinds())("migrations on %s", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("apply to an empty database, record Prisma's bookkeeping, and a second run is a no-op", async () => {
    const { target, drop } = await createEmptyTarget(kind);
    cleanups.push(drop);
    const migrations = readMigrations();
    expect(migrations.length).toBeGreaterThan(0);

    const first = await openSqlConnection(target);
    const applied = await applyMigrations(first);
    expect(applied.applied).toEqual(migrations.map((m) => m.name));
    const rows = await first.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((row) => row.migration_name)).toEqual(migrations.map((m) => m.name));
    for (const [index, row] of rows.entries()) {
      expect(row.checksum).toBe(migrations[index]?.checksum);
      expect(row.finished_at).not.toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    await first.close();

    const second = await openSqlConnection(target);
    const again = await applyMigrations(second);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toEqual(migrations.map((m) => m.name));
    const count = await second.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(count[0]?.n).toBe(migrations.length);
    await second.close();
  });

  it("refuses a migration edited after it was applied, and rolls back a failing one", async () => {
    const { target, drop } = await createEmptyTarget(kind);
    cleanups.push(drop);
    const connection = await openSqlConnection(target);
    const good = { name: "20990101000000_good", sql: "CREATE TABLE t_good (id int);", checksum: sha256Hex("CREATE TABLE t_good (id int);") };
    await applyMigrations(connection, [good]);
    await expect(applyMigrations(connection, [{ ...good, checksum: sha256Hex("changed") }])).rejects.toThrow(/edited after it was applied/);

    const bad = { name: "20990102000000_bad", sql: "CREATE TABLE t_bad (id int); SELECT * FROM no_such_table;", checksum: "x" };
    await expect(applyMigrations(connection, [good, bad])).rejects.toThrow(/20990102000000_bad failed and was rolled back/);
    const tables = await connection.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 't_bad'`);
    expect(tables[0]?.n).toBe(0);
    const recorded = await connection.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name = $1`, [bad.name]);
    expect(recorded[0]?.n).toBe(0);
    await connection.close();
  });

  it.runIf(kind === "postgres")("two concurrent migrators apply each migration exactly once", async () => {
    const { target, drop } = await createEmptyTarget(kind);
    cleanups.push(drop);
    const [a, b] = await Promise.all([openSqlConnection(target), openSqlConnection(target)]);
    const results = await Promise.all([applyMigrations(a), applyMigrations(b)]);
    const total = results.reduce((sum, result) => sum + result.applied.length, 0);
    expect(total).toBe(readMigrations().length);
    const rows = await a.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows[0]?.n).toBe(readMigrations().length);
    await Promise.all([a.close(), b.close()]);
  });

  it.runIf(kind === "pglite")("a second process cannot open the same embedded directory while the first holds it", async () => {
    const { target, drop } = await createEmptyTarget(kind);
    cleanups.push(drop);
    const opened = await openDatabase(target);
    await applyMigrations(sqlConnectionFromPglite(target, opened.pglite!));
    // Same process: the lock names the conflict instead of corrupting the directory.
    await expect(openSqlConnection(target)).rejects.toThrow(/already open in this process/);
    await opened.close();
    const reopened = await openSqlConnection(target);
    await reopened.close();
  });
});
