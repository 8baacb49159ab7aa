/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages are loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "onnxruntime-node", "sharp", "@node-rs/argon2", "pg"],
  poweredByHeader: false,
  // Type checking is its own step of `npm test` (tsc --noEmit over the whole project, tests included);
  // the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  experimental: { serverActions: { bodySizeLimit: "64mb" } },
};

export default nextConfig;
