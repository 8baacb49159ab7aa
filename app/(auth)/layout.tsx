import Link from "next/link";
import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="mx-auto max-w-md px-4 py-12">
      <Link href="/" className="mb-8 block text-sm text-neutral-500">Colorization Turing Test</Link>
      {children}
    </main>
  );
}
