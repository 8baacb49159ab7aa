// Our own nginx, as the reference for static image serving: a config in a temp dir, one worker
// (the Next server is one process too), a free loopback port, no system service touched.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./app-server";

const CANDIDATES = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"];

/** The nginx binary, or null when none is installed (Debian: `apt-get install -y nginx`). */
export function findNginx(): string | null {
  const found = CANDIDATES.find((candidate) => existsSync(candidate));
  if (found) return found;
  const which = spawnSync("sh", ["-c", "command -v nginx"], { encoding: "utf8" });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

export interface StaticServer {
  /** The URL of the one file it serves. */
  url: string;
  version: string;
  stop(): Promise<void>;
}

/**
 * Starts nginx serving `bytes` as `/image.jpg` on a free loopback port and waits until it
 * answers. Access logging is off and sendfile on: nginx at its usual best for a static file.
 */
export async function startNginx(binary: string, bytes: Uint8Array): Promise<StaticServer> {
  const dir = mkdtempSync(path.join(tmpdir(), "ctt-nginx-"));
  // Workers drop to an unprivileged user when started as root: they must be able to read here.
  chmodSync(dir, 0o755);
  mkdirs(dir, ["www", "tmp"]);
  writeFileSync(path.join(dir, "www", "image.jpg"), bytes);
  const port = await freePort();
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { image/jpeg jpg; }
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
  }
}
`,
  );
  const version = spawnSync(binary, ["-v"], { encoding: "utf8" }).stderr.trim();
  const child: ChildProcess = spawn(binary, ["-p", dir, "-c", conf, "-e", path.join(dir, "error.log")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}/image.jpg`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGQUIT");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return { url, version, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`nginx did not start: ${stderr}`);
}

function mkdirs(root: string, names: string[]): void {
  for (const name of names) {
    mkdirSync(path.join(root, name), { mode: 0o755 });
  }
}
