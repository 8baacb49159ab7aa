import type { Metadata } from "next";
import type { ReactNode } from "react";

// Study links are handed to recruited raters only; search engines should not list them.
export const metadata: Metadata = { title: "Colour photo study", robots: { index: false, follow: false } };

export default function RaterLayout({ children }: { children: ReactNode }) {
  return <div className="min-h-dvh">{children}</div>;
}
