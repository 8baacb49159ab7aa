import type { z } from "zod";

/**
 * A validation issue in plain words, without the field's name (the form puts its own label in
 * front): "must be at most 0.5", not "Too big: expected number to be <=0.5".
 */
export function issueInWords(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "too_big": {
      const limit = String(issue.maximum);
      if (issue.origin === "string") return `must be at most ${limit} characters long`;
      if (issue.origin === "array" || issue.origin === "set") return `must have at most ${limit} items`;
      return issue.inclusive === false ? `must be less than ${limit}` : `must be at most ${limit}`;
    }
    case "too_small": {
      const limit = String(issue.minimum);
      if (issue.origin === "string") return limit === "1" ? "must not be empty" : `must be at least ${limit} characters long`;
      if (issue.origin === "array" || issue.origin === "set") return `must have at least ${limit} ${limit === "1" ? "item" : "items"}`;
      return issue.inclusive === false ? `must be more than ${limit}` : `must be at least ${limit}`;
    }
    case "invalid_type": {
      // Issues do not carry the input unless asked to; zod's own message names what it received.
      if (issue.message.endsWith("received undefined")) return "is required";
      const expected: Record<string, string> = { int: "a whole number", number: "a number", string: "text", boolean: "yes or no", object: "a group of settings", array: "a list" };
      return `must be ${expected[issue.expected] ?? issue.expected}`;
    }
    case "invalid_format": {
      const formats: Record<string, string> = { email: "an email address", url: "a web address (https://…)", uuid: "an identifier", regex: "in the expected format" };
      return `must be ${formats[issue.format] ?? `a valid ${issue.format}`}`;
    }
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${String(issue.values[0])}` : `must be one of: ${issue.values.map(String).join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "unrecognized_keys":
      return `has fields this form does not know: ${issue.keys.join(", ")}`;
    default:
      return issue.message;
  }
}
