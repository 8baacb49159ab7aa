import { hash, verify } from "@node-rs/argon2";
import { COMMON_PASSWORDS } from "./common-passwords";

// `Algorithm` is an ambient const enum, which verbatimModuleSyntax cannot import: 2 is Argon2id.
const ARGON2ID = 2;

// Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard, so
// offline guessing on GPUs is expensive (OWASP Password Storage Cheat Sheet).
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 10;

const KEYBOARD_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz"];

/**
 * Why a password of acceptable length is still too easy to guess, or null: one of the most common
 * passwords (common-passwords.ts), fewer than 5 distinct characters ("aaaaaaaaaa", "abababab12"),
 * or nothing but a run along a keyboard row, the alphabet or the digits, forwards or backwards.
 */
export function weakPasswordReason(password: string): string | null {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return "This password is one of the most common; choose another.";
  if (new Set(lower).size < 5) return "Use at least 5 different characters.";
  const isRun = (text: string) =>
    KEYBOARD_ROWS.some((row) => {
      const both = [row, [...row].reverse().join("")];
      return both.some((line) => [...text].every((_, index) => index === 0 || line.indexOf(text[index] ?? "") === line.indexOf(text[index - 1] ?? "") + 1));
    });
  if (isRun(lower)) return "Avoid runs of neighbouring keys or letters.";
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// A real hash verified against when the account does not exist, so that sign-in takes the
// same time whether or not the email is known (no account enumeration by timing).
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword("decoy password that matches nothing");
  return decoyHash;
}
