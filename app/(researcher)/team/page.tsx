import { ActionButton } from "@/app/components/action-button";
import { SignOutButton } from "@/app/components/sign-out-button";
import { InviteForm } from "./invite-form";
import { listTeam } from "@/lib/auth/accounts";
import { requireResearcherPage } from "@/lib/auth/request";
import { getDb } from "@/lib/db/client";

export default async function TeamPage() {
  const researcher = await requireResearcherPage();
  const { members, invitations } = await listTeam(await getDb(), researcher);
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">Team</h1>
      <section>
        <h2 className="mb-2 font-medium">Members</h2>
        <ul className="divide-y rounded border bg-white">
          {members.map((member) => (
            <li key={member.id} className="px-4 py-2">{member.name} <span className="text-neutral-500">&lt;{member.email}&gt;</span></li>
          ))}
        </ul>
      </section>
      {invitations.length > 0 && (
        <section>
          <h2 className="mb-2 font-medium">Open invitations</h2>
          <ul className="text-sm">
            {invitations.map((invitation) => (
              <li key={invitation.id} className="flex items-center gap-3 py-1">
                {invitation.email} (until {invitation.expiresAt.toISOString().slice(0, 10)})
                <ActionButton action={`/api/team/invitations/${invitation.id}`} method="DELETE" label="Revoke" variant="secondary" testId="revoke-invitation" />
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="max-w-md">
        <h2 className="mb-2 font-medium">Invite a researcher</h2>
        <InviteForm />
      </section>
      <section className="max-w-md">
        <h2 className="mb-2 font-medium">Sessions</h2>
        <p className="mb-2 text-sm text-neutral-600">Signs you out on every browser and device, this one included.</p>
        <SignOutButton everywhere />
      </section>
    </div>
  );
}
