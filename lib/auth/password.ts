import { hash, verify } from "@node-rs/argon2";

// `Algorithm` is an ambient const enum, which verbatimModuleSyntax cannot import: 2 is Argon2id.
const ARGON2ID = 2;

// Argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard, so
// offline guessing on GPUs is expensive (OWASP Password Storage Cheat Sheet).
const ARGON2_OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 10;

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
