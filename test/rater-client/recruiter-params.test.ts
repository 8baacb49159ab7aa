import { describe, expect, it } from "vitest";
import { pickRecruiterParams, safeNavigationUrl } from "@/lib/rater-client/recruiter-params";

describe("pickRecruiterParams", () => {
  it("keeps Prolific and MTurk parameters only, first value of repeats", () => {
    expect(pickRecruiterParams({ PROLIFIC_PID: "5f1", STUDY_ID: "st", SESSION_ID: "se", utm_source: "mail" })).toEqual({ PROLIFIC_PID: "5f1", STUDY_ID: "st", SESSION_ID: "se" });
    expect(pickRecruiterParams({ workerId: ["W1", "W2"], assignmentId: "A", hitId: "H", turkSubmitTo: "https://www.mturk.com" })).toEqual({ workerId: "W1", assignmentId: "A", hitId: "H", turkSubmitTo: "https://www.mturk.com" });
    expect(pickRecruiterParams({})).toEqual({});
  });

  it("drops empty and over-long values (the server takes up to 500 characters)", () => {
    expect(pickRecruiterParams({ PROLIFIC_PID: "", workerId: "x".repeat(501), hitId: "y".repeat(500) })).toEqual({ hitId: "y".repeat(500) });
  });
});

describe("safeNavigationUrl", () => {
  it("lets http(s) through and nothing else", () => {
    expect(safeNavigationUrl("https://app.prolific.com/submissions/complete?cc=ABC")).toBe("https://app.prolific.com/submissions/complete?cc=ABC");
    expect(safeNavigationUrl("javascript:alert(1)")).toBeNull();
    expect(safeNavigationUrl("data:text/html,hi")).toBeNull();
    expect(safeNavigationUrl("/relative")).toBeNull();
    expect(safeNavigationUrl(null)).toBeNull();
  });
});
