/**
 * Whether an onnxruntime execution provider can possibly work on this machine, decided without
 * asking onnxruntime: creating a session with a provider whose shared library or device is
 * missing makes the native loader print errors ("Failed to load library
 * libonnxruntime_providers_shared.so") and Vulkan warnings straight to stderr, past any logger.
 * A provider that passes this check is still only tried; onnxruntime has the last word.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { getConfig } from "@/lib/config";

/** The directory of onnxruntime-node's native binding and provider libraries, if found. */
function onnxruntimeBinaryDir(): string | null {
  try {
    const packageJson = createRequire(import.meta.url).resolve("onnxruntime-node/package.json");
    const dir = path.join(path.dirname(packageJson), "bin", "napi-v6", process.platform, process.arch);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

function hasDevice(prefix: string, dir = "/dev"): boolean {
  try {
    return readdirSync(/*turbopackIgnore: true*/ dir).some((name) => name.startsWith(prefix));
  } catch {
    return false;
  }
}

/**
 * Why `provider` is skipped here, or null to try it. Only Linux devices are inspected; elsewhere
 * every provider is tried.
 */
export function providerSkipReason(provider: string): string | null {
  if (provider === "cpu") return null;
  if (provider === "cuda") {
    const dir = onnxruntimeBinaryDir();
    if (dir && !existsSync(path.join(dir, process.platform === "win32" ? "onnxruntime_providers_cuda.dll" : "libonnxruntime_providers_cuda.so"))) {
      return "onnxruntime-node has no CUDA provider library installed";
    }
    if (process.platform === "linux" && !existsSync("/dev/nvidiactl")) return "no NVIDIA driver (/dev/nvidiactl absent)";
    return null;
  }
  if (provider === "webgpu" && process.platform === "linux") {
    // A Vulkan driver named explicitly (a software one, say) is the operator's choice: try it.
    const config = getConfig();
    if (config.VK_ICD_FILENAMES || config.VK_DRIVER_FILES) return null;
    if (!hasDevice("renderD", "/dev/dri") && !existsSync("/dev/nvidiactl")) return "no GPU device (no /dev/dri render node)";
  }
  return null;
}
