import { existsSync } from "node:fs";
import { mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * The Chromium that `npm ci` brings: `@sparticuz/chromium` ships a headless Chromium and
 * SwiftShader (a software Vulkan driver) compressed inside the package; they are unpacked once per
 * machine into a versioned folder under the temporary directory (about 10 s, then reused).
 */
export interface PackagedChromium {
  /** The headless Chromium executable. */
  executable: string;
  /** The folder holding SwiftShader (`libvk_swiftshader.so`) and its Vulkan loader. */
  libraryDir: string;
  /** SwiftShader's Vulkan ICD manifest, for `VK_ICD_FILENAMES`. */
  vulkanIcd: string;
}

const require = createRequire(import.meta.url);

async function packageVersion(): Promise<string> {
  // The package's exports hide package.json; walk up from its entry point (build/…/index) to the
  // folder whose package.json names the package.
  let dir = dirname(require.resolve("@sparticuz/chromium"));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const parsed = JSON.parse(await readFile(manifest, "utf8")) as { name?: string; version: string };
      if (parsed.name === "@sparticuz/chromium") return parsed.version;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error("@sparticuz/chromium: package.json not found above its entry point");
    dir = parent;
  }
}

function describe(dir: string): PackagedChromium {
  return { executable: join(dir, "chromium"), libraryDir: dir, vulkanIcd: join(dir, "vk_swiftshader_icd.json") };
}

let unpacked: Promise<PackagedChromium> | undefined;

/**
 * Unpacks the packaged Chromium (once per version and user) and returns where it lies. Safe to
 * call from parallel test workers: each unpacks into its own staging folder and renames it into
 * place, so nobody ever sees a half-written binary.
 */
export function packagedChromium(): Promise<PackagedChromium> {
  unpacked ??= unpack();
  return unpacked;
}

async function unpack(): Promise<PackagedChromium> {
  const user = process.getuid?.() ?? "user";
  const dir = join(tmpdir(), `colorization-turing-test-chromium-${await packageVersion()}-${user}`);
  const ready = describe(dir);
  if (existsSync(ready.executable) && existsSync(ready.vulkanIcd)) return ready;
  const staging = await mkdtemp(`${dir}.staging-`);
  const previousTmpdir = process.env.TMPDIR;
  try {
    // The package unpacks into os.tmpdir(), which follows TMPDIR at the time of the call.
    process.env.TMPDIR = staging;
    const { default: chromium } = await import("@sparticuz/chromium");
    await chromium.executablePath();
  } finally {
    if (previousTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmpdir;
  }
  try {
    await rename(staging, dir);
  } catch (error) {
    // Another worker finished first: keep its copy.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(ready.executable)) throw error;
  }
  return ready;
}
