import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { PGlite } from "@electric-sql/pglite";
import { getConfig, type Config } from "@/lib/config";
import { PrismaClient } from "./generated/client";
import { answerPgliteBackupRequests } from "./backup";
import { openPglite, openPool, type DatabaseTarget } from "./connection";
import type { DirectoryLock } from "./directory-lock";

export type Db = PrismaClient;

/** The client inside an interactive transaction (`db.$transaction(async (tx) => …)`). */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Where the configuration points: a PostgreSQL server, or the embedded PGlite default. */
export function databaseTargetFromConfig(config: Config): DatabaseTarget {
  return config.DATABASE_URL
    ? { kind: "postgres", url: config.DATABASE_URL, directUrl: config.DIRECT_DATABASE_URL, poolMax: config.DATABASE_POOL_MAX }
    : { kind: "pglite", dir: config.PGLITE_DIR };
}

export interface OpenedDatabase {
  db: Db;
  target: DatabaseTarget;
  /** The embedded engine, when the target is PGlite (tests and the migrator share it). */
  pglite?: PGlite;
  close(): Promise<void>;
}

/**
 * Builds a Prisma client for a target. This module is the only place a client is constructed;
 * the app uses the cached {@link getDb}, tests and scripts call this with their own target.
 */
export async function openDatabase(target: DatabaseTarget): Promise<OpenedDatabase> {
  if (target.kind === "postgres") {
    const pool = openPool(target);
    const db = new PrismaClient({ adapter: new PrismaPg(pool) });
    return { db, target, close: async () => { await db.$disconnect(); await pool.end().catch(() => undefined); } };
  }
  const { db: pglite, lock } = await openPglite(target.dir);
  return pgliteDatabase(target, pglite, lock);
}

function pgliteDatabase(target: DatabaseTarget, pglite: PGlite, lock?: DirectoryLock): OpenedDatabase {
  const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    db,
    target,
    pglite,
    close: async () => {
      await db.$disconnect();
      await pglite.close();
      lock?.release();
    },
  };
}

type Cache = { opened?: Promise<OpenedDatabase> };
const globalCache = globalThis as typeof globalThis & { __colorTuringDb?: Cache };

/**
 * The process's database, opened once. Cached on `globalThis` so that Next's hot reload in
 * development does not open a second pool (or a second PGlite on the same directory).
 */
export function getOpenedDatabase(): Promise<OpenedDatabase> {
  const cache = (globalCache.__colorTuringDb ??= {});
  cache.opened ??= openDatabase(databaseTargetFromConfig(getConfig())).then(
    (opened) => {
      // This process now holds the embedded database: it alone can write a consistent backup
      // of it (`npm run backup` asks it to).
      if (opened.pglite && opened.target.kind === "pglite") answerPgliteBackupRequests(opened.pglite, opened.target.dir);
      return opened;
    },
    (error: unknown) => {
      cache.opened = undefined;
      throw error;
    },
  );
  return cache.opened;
}

export async function getDb(): Promise<Db> {
  return (await getOpenedDatabase()).db;
}
