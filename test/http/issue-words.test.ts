import { describe, expect, it } from "vitest";
import { z } from "zod";
import { issueInWords } from "@/lib/http/issue-words";
import { protocolSchema } from "@/lib/contract/protocol";
import { protocolErrorsInWords } from "@/lib/contract/protocol-labels";

const wordsFor = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error("expected a validation error");
  return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issueInWords(issue) }));
};

describe("validation issues in words", () => {
  it("says what a protocol value must be, under the editor's label", () => {
    const errors = wordsFor(z.object({ protocol: protocolSchema }), { protocol: { vigilanceShare: 0.7, testTrials: 2.5, practiceTrials: -1 } });
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: "protocol.vigilanceShare", message: "must be at most 0.5" },
        { path: "protocol.testTrials", message: "must be a whole number" },
        { path: "protocol.practiceTrials", message: "must be at least 0" },
      ]),
    );
    expect(protocolErrorsInWords([{ path: "protocol.vigilanceShare", message: "must be at most 0.5" }])).toBe("Vigilance share must be at most 0.5.");
  });

  it("covers text, formats, choices and missing values", () => {
    expect(wordsFor(z.object({ name: z.string().min(1) }), { name: "" })[0]!.message).toBe("must not be empty");
    expect(wordsFor(z.object({ name: z.string().max(3) }), { name: "abcd" })[0]!.message).toBe("must be at most 3 characters long");
    expect(wordsFor(z.object({ email: z.email() }), { email: "nope" })[0]!.message).toBe("must be an email address");
    expect(wordsFor(z.object({ kind: z.enum(["a", "b"]) }), { kind: "c" })[0]!.message).toBe("must be one of: a, b");
    expect(wordsFor(z.object({ size: z.number() }), {})[0]!.message).toBe("is required");
    expect(wordsFor(z.object({ size: z.number() }), { size: "big" })[0]!.message).toBe("must be a number");
  });
});
