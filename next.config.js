/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and WASM packages are loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pglite-prisma-adapter", "onnxruntime-node", "sharp", "@node-rs/argon2", "pg"],
  poweredByHeader: false,
  experimental: { serverActions: { bodySizeLimit: "64mb" } },
};

export default nextConfig;
