import { requireResearcher } from "@/lib/auth/request";
import { json, route } from "@/lib/http/route";

export const GET = route(async (request) => json({ researcher: await requireResearcher(request) }));
