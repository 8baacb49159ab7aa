import { z } from "zod";

/**
 * The screening part of the rater API (docs/colour-vision-screening.md), browser-safe: what the
 * page is given to draw — each plate's dots and options, each display check's tiles — and the
 * answers it sends back. The page is never told which option is right: the server regenerates the
 * plates from the session's seed and scores the answers itself.
 */

const rgb8 = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);

export const plateViewSchema = z.object({
  size: z.number().int().min(96).max(2048),
  gapRgb: rgb8,
  /** Where the figure sits (the same for every option): what a template observer needs, not the answer. */
  placement: z.object({ cx: z.number(), cy: z.number(), height: z.number(), strokeWidth: z.number() }),
  options: z.array(z.object({ id: z.string().min(1).max(20), label: z.string().min(1).max(40) })).min(2).max(10),
  /** The dots, flat: x, y, r, red, green, blue for each dot (positions rounded to 0.01 px). */
  dots: z.array(z.number()),
});
export type PlateView = z.infer<typeof plateViewSchema>;

export const displayCheckViewSchema = z.object({
  kind: z.enum(["dark-step", "light-step", "saturated-red", "saturated-green", "saturated-blue"]),
  prompt: z.string().min(1),
  backgroundRgb: rgb8,
  tiles: z.tuple([rgb8, rgb8, rgb8, rgb8]),
});
export type DisplayCheckView = z.infer<typeof displayCheckViewSchema>;

export const screeningViewSchema = z.object({
  plates: z.array(plateViewSchema),
  displayChecks: z.array(displayCheckViewSchema),
  /** The window must hold the study's photos at this size (CSS px) in this layout. */
  window: z.object({ check: z.boolean(), stimulusSize: z.number().int().min(1), presentation: z.enum(["paired", "single"]) }),
});
export type ScreeningView = z.infer<typeof screeningViewSchema>;

export const screeningEnvelopeSchema = z.object({ screening: screeningViewSchema });

/**
 * The body of `POST /api/rater/screening`: the chosen options only. It carries no verdict (the
 * schema is strict, so a page that sends `passed` is refused), and the window's size is what the
 * page measured; the server judges it against the protocol.
 */
export const screeningAnswersSchema = z
  .object({
    /** One option id per plate, in the order the plates were given. */
    plates: z.array(z.string().min(1).max(20)).max(40),
    /** One tile index (0–3) per display check, or null for "I see no difference". */
    display: z.array(z.number().int().min(0).max(3).nullable()).max(20),
    viewport: z.object({ width: z.number().finite().min(0).max(100_000), height: z.number().finite().min(0).max(100_000) }).strict(),
  })
  .strict();
export type ScreeningAnswers = z.infer<typeof screeningAnswersSchema>;
