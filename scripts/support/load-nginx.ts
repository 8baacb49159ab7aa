// Our own nginx, as the reference for static image serving and as the load balancer in front of
// several app instances: a config in a temp dir, one worker (the Next server is one process too),
// a free loopback port, no system service touched.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  /** nginx's master process (its worker is its child). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts nginx serving `bytes` as `/image.jpg` on a free loopback port and waits until it
 * answers. Access logging is off and sendfile on: nginx at its usual best for a static file.
 */
export async function startNginx(binary: string, bytes: Uint8Array): Promise<StaticServer> {
  const dir = nginxDir();
  writeFileSync(path.join(dir, "www", "image.jpg"), bytes);
  const port = await freePort();
  const http = `  access_log off;
  sendfile on;
  tcp_nopush on;
  types { image/jpeg jpg; }
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
  }`;
  return launchNginx(binary, dir, http, `http://127.0.0.1:${port}/image.jpg`);
}

export interface Balancer extends StaticServer {
  /**
   * Lines of its access log so far: `<upstream addresses>|<upstream statuses>|<status>|<method>|<uri>`;
   * the addresses are a comma-separated list when a request was passed on to the next instance.
   */
  accessLog(): string[];
}

/**
 * nginx as the load balancer in front of several app instances (README, "Several instances"):
 * round robin, no sticky sessions; a request that cannot reach an instance (refused, reset,
 * timed out) is passed to the next one when nginx may resend it (GET, HEAD), and an instance
 * that failed is left out for a few seconds. `url` is the balancer's root URL.
 */
export async function startNginxBalancer(binary: string, upstreams: string[]): Promise<Balancer> {
  const dir = nginxDir();
  const port = await freePort();
  const servers = upstreams.map((upstream) => `    server ${new URL(upstream).host} max_fails=3 fail_timeout=5s;`).join("\n");
  const http = `  log_format balancer '$upstream_addr|$upstream_status|$status|$request_method|$uri';
  access_log ${dir}/access.log balancer;
  upstream app {
${servers}
    keepalive 64;
    # Below Node's 5 s keep-alive: nginx never reuses a connection the instance is closing (such a
    # race counts as the instance failing, and with the other one dead leaves none to try).
    keepalive_timeout 4s;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 200m;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      proxy_read_timeout 300s;
    }
  }`;
  const url = `http://127.0.0.1:${port}`;
  const server = await launchNginx(binary, dir, http, `${url}/api/health`);
  const accessLog = () => {
    try {
      return readFileSync(path.join(dir, "access.log"), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return { ...server, url, accessLog };
}

/** A scratch folder for one nginx: readable by its workers (they drop to an unprivileged user when started as root). */
function nginxDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ctt-nginx-"));
  chmodSync(dir, 0o755);
  mkdirs(dir, ["www", "tmp"]);
  return dir;
}

async function launchNginx(binary: string, dir: string, httpBlock: string, probeUrl: string): Promise<StaticServer> {
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
${httpBlock}
}
`,
  );
  const version = spawnSync(binary, ["-v"], { encoding: "utf8" }).stderr.trim();
  const child: ChildProcess = spawn(binary, ["-p", dir, "-c", conf, "-e", path.join(dir, "error.log")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
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
      const response = await fetch(probeUrl);
      await response.arrayBuffer();
      if (response.ok) return { url: probeUrl, version, pid: child.pid ?? 0, stop };
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
