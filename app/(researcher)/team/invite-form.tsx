"use client";

import { useState } from "react";
import { JsonForm } from "@/app/components/json-form";

export function InviteForm() {
  const [link, setLink] = useState<string | null>(null);
  return (
    <>
      <JsonForm
        action="/api/team/invitations"
        submitLabel="Create invitation link"
        fields={[{ name: "email", label: "Colleague's email", type: "email" }]}
        onSuccess={(body) => setLink((body as { invitation: { link: string } }).invitation.link)}
      />
      {link && (
        <p className="mt-4 break-all rounded bg-green-50 p-3 text-sm" data-testid="invitation-link">
          Send this link (shown once): {link}
        </p>
      )}
    </>
  );
}
