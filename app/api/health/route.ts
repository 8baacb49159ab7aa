import { getDb } from "@/lib/db/client";
import { json, route } from "@/lib/http/route";

// Liveness and readiness in one: answers 200 only when the database answers.
export const GET = route(async () => {
  const db = await getDb();
  await db.$queryRaw`SELECT 1`;
  return json({ ok: true });
});
