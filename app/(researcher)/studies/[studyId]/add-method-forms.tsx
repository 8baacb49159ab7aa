"use client";

import { FileUploadForm } from "@/app/components/file-upload-form";
import { JsonForm } from "@/app/components/json-form";
import { useRouter } from "next/navigation";

interface UploadReport {
  method: { name: string };
  matched: string[];
  missing: string[];
  extra: string[];
  rejected: { name: string; code: string; message: string }[];
  notes: { name: string; note: string }[];
  stored: boolean;
}

const BASELINES = [
  { value: "random", label: "Random — the vigilance foil (not tested unless you say so)" },
  { value: "gray", label: "Gray — the photo without colour" },
  { value: "ground-truth", label: "Ground truth — the real photo again" },
];

const addedMessage = (body: unknown) => {
  const method = (body as { method?: { name?: string } }).method;
  return method?.name ? `Added “${method.name}”. It appears in the table above; its candidates are generated in the background.` : "Added.";
};

export function AddMethodForms({ studyId, models }: { studyId: string; models: { name: string; description: string }[] }) {
  const router = useRouter();
  const api = `/api/studies/${studyId}/methods`;
  return (
    <div className="mt-6 grid gap-8 md:grid-cols-3">
      <div>
        <h3 className="mb-2 font-medium">Add a model</h3>
        {models.length === 0 ? (
          <p className="text-sm text-neutral-600">No models found in the models folder.</p>
        ) : (
          <JsonForm
            action={api}
            submitLabel="Add model method"
            extra={{ kind: "model" }}
            onSuccess={() => router.refresh()}
            successMessage={addedMessage}
            fields={[
              {
                name: "model",
                label: "Model",
                type: "select",
                defaultValue: models[0]?.name,
                options: models.map((model) => ({ value: model.name, label: model.description ? `${model.name} — ${model.description}` : model.name })),
              },
              { name: "name", label: "Method name", required: false, hint: "Defaults to the model's name." },
              { name: "temperature", label: "Annealed-mean temperature", type: "number", required: false, defaultValue: "0.38" },
            ]}
          />
        )}
      </div>
      <div>
        <h3 className="mb-2 font-medium">Add a baseline</h3>
        <JsonForm
          action={api}
          submitLabel="Add baseline"
          extra={{ kind: "baseline" }}
          onSuccess={() => router.refresh()}
          successMessage={addedMessage}
          fields={[{ name: "baseline", label: "Baseline", type: "select", defaultValue: "random", options: BASELINES }]}
        />
      </div>
      <div>
        <h3 className="mb-2 font-medium">Upload a competitor&apos;s outputs</h3>
        <FileUploadForm
          action={`${api}/upload`}
          label="A zip (or files) named like the stimuli"
          accept="image/*,.zip"
          testId="method-upload"
          extraFields={
            <>
              <label className="block text-sm">Method name<input name="name" required className="mt-1 w-full rounded border border-neutral-300 px-2 py-1" /></label>
              <label className="block text-sm"><input name="acceptPartial" type="checkbox" value="true" /> Accept a partial set</label>
            </>
          }
          renderReport={(value) => {
            const report = value as UploadReport;
            return (
              <div className="text-sm">
                <p>
                  {report.stored ? "Stored" : "Nothing stored"}: matched {report.matched.length}, missing {report.missing.length}, extra {report.extra.length}, rejected {report.rejected.length}.
                </p>
                <ul className="list-disc pl-5">
                  {report.rejected.map((item) => <li key={`r-${item.name}`} className="text-red-700">{item.name}: {item.message}</li>)}
                  {report.missing.map((name) => <li key={`m-${name}`}>{name}: missing</li>)}
                  {report.extra.map((name) => <li key={`e-${name}`}>{name}: no stimulus of that name</li>)}
                  {report.notes.map((item) => <li key={`n-${item.name}`}>{item.name}: {item.note}</li>)}
                </ul>
              </div>
            );
          }}
        />
      </div>
    </div>
  );
}
