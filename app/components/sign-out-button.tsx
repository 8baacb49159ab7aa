"use client";

import { useRouter } from "next/navigation";

/** Signs out this browser, or (everywhere) every session of the researcher. */
export function SignOutButton({ everywhere = false }: { everywhere?: boolean }) {
  const router = useRouter();
  return (
    <button
      type="button"
      className="text-sm text-neutral-600 hover:text-neutral-900"
      data-testid={everywhere ? "sign-out-everywhere" : "sign-out"}
      onClick={async () => {
        await fetch(`/api/auth/sign-out${everywhere ? "?everywhere=true" : ""}`, { method: "POST" });
        router.push("/sign-in");
        router.refresh();
      }}
    >
      {everywhere ? "Sign out everywhere" : "Sign out"}
    </button>
  );
}
