/** The protocol editor's labels by field path, so that errors name what the researcher sees. */
const PROTOCOL_LABELS: Record<string, string> = {
  stimulusSize: "Stimulus size",
  "presentation.exposureMs": "Exposure",
  "presentation.blankMs": "Blank between",
  practiceTrials: "Practice trials",
  testTrials: "Test trials",
  vigilanceShare: "Vigilance share",
  targetSessionsPerMethod: "Target sessions per method",
  "exclusion.maxVigilanceFailures": "Vigilance failures allowed",
  "exclusion.maxTimingFlaggedShare": "Timing-flagged share allowed",
  instructions: "Instructions",
  consent: "Consent",
};

/** "Vigilance share must be at most 0.5." for each validation error (paths under `protocol.`). */
export function protocolErrorsInWords(errors: readonly { path: string; message: string }[]): string {
  return errors
    .map((error) => {
      const path = error.path.replace(/^protocol\./, "");
      return `${PROTOCOL_LABELS[path] ?? path} ${error.message}.`;
    })
    .join(" ");
}
