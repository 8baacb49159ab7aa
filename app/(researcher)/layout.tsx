import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/app/components/sign-out-button";
import { requireResearcherPage } from "@/lib/auth/request";

export const dynamic = "force-dynamic";

export default async function ResearcherLayout({ children }: { children: ReactNode }) {
  const researcher = await requireResearcherPage();
  return (
    <div>
      <header className="border-b border-neutral-200 bg-white">
        <nav className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3">
          <Link href="/studies" className="font-semibold">Colorization Turing Test</Link>
          <Link href="/studies" className="text-sm">Studies</Link>
          <Link href="/team" className="text-sm">Team</Link>
          <span className="ml-auto text-sm text-neutral-500" data-testid="researcher-name">{researcher.name}</span>
          <SignOutButton />
        </nav>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </div>
  );
}
