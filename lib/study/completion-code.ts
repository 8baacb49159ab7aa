import { randomInt } from "node:crypto";

// Without look-alike characters (0/O, 1/I/L), so that raters can type a code they read.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const LENGTH = 10;

/**
 * A fresh completion code: 10 characters drawn uniformly from 31 (about 49.5 bits), so a code
 * cannot be guessed, only received. Study codes (configured on Prolific's side) and each
 * completed session's own code are made alike.
 */
export function newCompletionCode(): string {
  return Array.from({ length: LENGTH }, () => ALPHABET[randomInt(0, ALPHABET.length)]).join("");
}
