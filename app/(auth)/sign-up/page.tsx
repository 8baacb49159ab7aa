import Link from "next/link";
import { JsonForm } from "@/app/components/json-form";
import { isSignUpOpen } from "@/lib/auth/accounts";
import { getDb } from "@/lib/db/client";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password";

export const dynamic = "force-dynamic";

export default async function SignUpPage() {
  if (!(await isSignUpOpen(await getDb()))) {
    return (
      <>
        <h1 className="mb-4 text-2xl font-semibold">Sign-up is closed</h1>
        <p>This installation already has researchers. Ask one of them for an invitation, or <Link href="/sign-in" className="underline">sign in</Link>.</p>
      </>
    );
  }
  return (
    <>
      <h1 className="mb-2 text-2xl font-semibold">Create the first researcher account</h1>
      <p className="mb-6 text-sm text-neutral-600">You found this installation&apos;s first team; you can invite colleagues afterwards.</p>
      <JsonForm
        action="/api/auth/sign-up"
        submitLabel="Create account"
        redirectTo="/studies"
        fields={[
          { name: "name", label: "Name", autoComplete: "name" },
          { name: "email", label: "Email", type: "email", autoComplete: "email" },
          { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: `At least ${PASSWORD_MIN_LENGTH} characters.` },
          { name: "teamName", label: "Team or lab name", required: false },
        ]}
      />
    </>
  );
}
