// `npx tsx scripts/fault-tests.ts [--fault kill-app,fill-pool] [--restart-postgres] [--force] [--json]
//   [--server-url postgres://postgres@127.0.0.1:5432/postgres] [--raters 8]`
//
// The fault runs, by hand: simulated raters mid-study while the app is killed
// (SIGKILL) and restarted, its connection pool is filled, or — only with --restart-postgres — the
// local PostgreSQL server is restarted. That last one interrupts everyone using the server, so it
// is never part of `npm test`, and it waits (up to a minute) until no other client is connected
// unless --force is given. Prints one JSON array of results last on stdout (docs/benchmarks.md).
import { parseArgs } from "node:util";
import { DEFAULT_SERVER_URL } from "./support/load-bench";
import { DEFAULT_FAULT_OPTIONS, otherClientConnections, runFault, type FaultKind, type FaultRunResult } from "./support/load-faults";
import { CliUsageError, runScript } from "./support/run-script";

const { values: opts } = parseArgs({
  options: {
    fault: { type: "string", default: "kill-app,fill-pool" },
    "restart-postgres": { type: "boolean", default: false },
    force: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    "server-url": { type: "string", default: DEFAULT_SERVER_URL },
    raters: { type: "string", default: String(DEFAULT_FAULT_OPTIONS.raters) },
  },
});

const KINDS = new Set<FaultKind>(["kill-app", "fill-pool", "restart-postgres"]);
const log = (message: string) => process.stderr.write(`fault-tests ${message}\n`);

async function waitForQuietServer(serverUrl: string): Promise<void> {
  for (let waited = 0; ; waited += 5) {
    const others = await otherClientConnections(serverUrl, "");
    if (others === 0) return;
    if (waited >= 60) throw new CliUsageError(`${others} other client(s) are using the PostgreSQL server; a restart would cut them off. Try later, or pass --force.`);
    log(`${others} other client(s) connected; waiting before restarting PostgreSQL…`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}

runScript(async () => {
  const faults = opts.fault.split(",").map((name) => name.trim()).filter(Boolean) as FaultKind[];
  if (opts["restart-postgres"] && !faults.includes("restart-postgres")) faults.push("restart-postgres");
  for (const fault of faults) if (!KINDS.has(fault)) throw new CliUsageError(`unknown fault ${fault} (kill-app, fill-pool, restart-postgres)`);
  if (faults.includes("restart-postgres") && !opts["restart-postgres"]) throw new CliUsageError("restarting PostgreSQL affects everyone on the server: pass --restart-postgres to mean it");
  const raters = Number(opts.raters);
  if (!Number.isInteger(raters) || raters < 1 || raters > 200) throw new CliUsageError("--raters must be an integer between 1 and 200");
  const results: FaultRunResult[] = [];
  for (const fault of faults) {
    // Our own app's connections count as "other" here too, so the check runs before each start.
    if (fault === "restart-postgres" && !opts.force) await waitForQuietServer(opts["server-url"]);
    const result = await runFault({ ...DEFAULT_FAULT_OPTIONS, fault, raters, serverUrl: opts["server-url"], log });
    const { audit } = result;
    log(
      `${fault}: ${result.ok ? "OK" : "FAILED"} — fault ${result.faultMs} ms; sent ${audit.sent}, acknowledged ${audit.acknowledged}, stored ${audit.stored}, ` +
        `lost ${audit.lost}, duplicates ${audit.duplicates}, stored-unacknowledged ${audit.storedUnacknowledged}; sessions resumed ${result.resume.resumed}/${result.resume.sessions}`,
    );
    results.push(result);
  }
  console.log(JSON.stringify(results, null, opts.json ? 2 : undefined));
  if (results.some((result) => !result.ok)) process.exitCode = 1;
});
