import Link from "next/link";
import { redirect } from "next/navigation";
import { JsonForm } from "@/app/components/json-form";
import { currentResearcher } from "@/lib/auth/request";
import { isSignUpOpen } from "@/lib/auth/accounts";
import { getDb } from "@/lib/db/client";

export const dynamic = "force-dynamic";

export default async function SignInPage() {
  if (await currentResearcher()) redirect("/studies");
  const signUpOpen = await isSignUpOpen(await getDb());
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold">Sign in</h1>
      <JsonForm
        action="/api/auth/sign-in"
        submitLabel="Sign in"
        redirectTo="/studies"
        fields={[
          { name: "email", label: "Email", type: "email", autoComplete: "email" },
          { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
        ]}
      />
      {signUpOpen && (
        <p className="mt-6 text-sm">
          No researcher yet? <Link href="/sign-up" className="underline">Create the first account</Link>.
        </p>
      )}
    </>
  );
}
