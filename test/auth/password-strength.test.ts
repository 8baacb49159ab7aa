import { describe, expect, it } from "vitest";
import { weakPasswordReason } from "@/lib/auth/password";
import { passwordSchema } from "@/lib/auth/schemas";

describe("password strength beyond length", () => {
  it("refuses common passwords, too few distinct characters and keyboard or alphabet runs", () => {
    for (const weak of ["aaaaaaaaaa", "1234567890", "0987654321", "qwertyuiop", "POIUYTREWQ", "abcdefghij", "password123", "Password123", "1q2w3e4r5t", "abababab12", "iloveyou123"]) {
      expect(weakPasswordReason(weak), weak).not.toBeNull();
      expect(passwordSchema.safeParse(weak).success, weak).toBe(false);
    }
  });

  it("accepts passphrases and random strings", () => {
    for (const strong of ["a correct long password", "horse battery staple", "T7#kq9!vLm2p", "colour raters agree"]) {
      expect(weakPasswordReason(strong), strong).toBeNull();
      expect(passwordSchema.safeParse(strong).success, strong).toBe(true);
    }
  });
});
