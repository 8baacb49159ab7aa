import { JsonForm } from "@/app/components/json-form";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password";

export default async function AcceptInvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return (
    <>
      <h1 className="mb-6 text-2xl font-semibold">Join your team</h1>
      <JsonForm
        action="/api/auth/accept-invitation"
        submitLabel="Create account"
        redirectTo="/studies"
        extra={{ token }}
        fields={[
          { name: "name", label: "Name", autoComplete: "name" },
          { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: `At least ${PASSWORD_MIN_LENGTH} characters.` },
        ]}
      />
    </>
  );
}
