"use client";

import { FileUploadForm } from "@/app/components/file-upload-form";

interface StimuliReport {
  added: { name: string }[];
  duplicates: { name: string; duplicateOf: string }[];
  rejected: { name: string; reason: string }[];
}

export function StimuliUpload({ studyId }: { studyId: string }) {
  return (
    <FileUploadForm
      action={`/api/studies/${studyId}/stimuli`}
      label="Colour photos (JPEG, PNG, WebP, TIFF, AVIF) or a zip of them"
      accept="image/*,.zip"
      testId="stimuli-upload"
      renderReport={(value) => {
        const report = value as StimuliReport;
        return (
          <div className="text-sm">
            <p>Added {report.added.length}; duplicates {report.duplicates.length}; rejected {report.rejected.length}.</p>
            <ul className="list-disc pl-5">
              {report.duplicates.map((item) => <li key={`d-${item.name}`}>{item.name}: same image as {item.duplicateOf}</li>)}
              {report.rejected.map((item) => <li key={`r-${item.name}`} className="text-red-700">{item.name}: {item.reason}</li>)}
            </ul>
          </div>
        );
      }}
    />
  );
}
