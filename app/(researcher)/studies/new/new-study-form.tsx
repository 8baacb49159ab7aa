"use client";

import { useRouter } from "next/navigation";
import { JsonForm } from "@/app/components/json-form";

export function NewStudyForm() {
  const router = useRouter();
  return (
    <JsonForm
      action="/api/studies"
      submitLabel="Create draft"
      fields={[{ name: "name", label: "Study name" }]}
      onSuccess={(body) => router.push(`/studies/${(body as { study: { id: string } }).study.id}`)}
    />
  );
}
