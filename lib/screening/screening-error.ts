/**
 * The error of lib/screening: an argument outside what a plate, a check or a colour computation
 * is defined for (a plate size too small for its dots, a colour that leaves the display gamut, an
 * answer list that does not match the plates). Callers at the edges map it to their own error type.
 */
export class ScreeningError extends Error {
  override readonly name = "ScreeningError";
}
