// Public API of lib/screening: rater screening for colour vision and for a usable display. Pure
// and browser-safe (imports only lib/stats' seeded generator), so the rater page draws the same
// plates and checks that the server regenerates from the session's seed to score answers.
export { ScreeningError } from "./screening-error";
export {
  applyMatrix,
  invertMatrix,
  LINEAR_SRGB_TO_LMS,
  LINEAR_SRGB_TO_XYZ,
  linearToSrgb,
  linearToSrgb8,
  LMS_TO_LINEAR_SRGB,
  multiplyMatrices,
  relativeLuminance,
  SRGB8_TO_LINEAR,
  srgbToLinear,
  uvPrime,
  XYZ_TO_LMS,
  type Matrix3,
  type Vector3,
} from "./colour-science";
export { CONFUSION_AXES, MACHADO_2009_DICHROMAT, simulateDichromat, type ConfusionAxis } from "./dichromat-simulation";
export { DIGITS, SHAPES, figureMask, isFigureName, isOnFigure, type FigureKind, type FigureName, type FigurePlacement } from "./figures";
export {
  AXIS_CONTRAST,
  generateColourScreening,
  generatePlate,
  LUMINANCE_NOISE,
  NO_FIGURE,
  PLATE_BASE_COLOURS,
  type ColourScreeningOptions,
  type PlateAnswer,
  type PlateAxis,
  type PlateDot,
  type PlateOption,
  type ScreeningPlate,
} from "./plates";
export { renderPlate, type RgbaImage } from "./render-plate";
export { displayCheckToWire, plateFromWire, plateToWire, type DisplayCheckDrawing, type PlateDrawing, type PlateWire } from "./plate-view";
export { judgePlate, READABLE_CONTRAST, type ObserverJudgement, type ObserverVision } from "./simulated-observer";
export { scoreColourScreening, type AxisScore, type ColourScreeningOutcome, type ColourScreeningRule } from "./score-screening";
export {
  checkWindowSize,
  DARK_STEP,
  DISPLAY_CHECK_KINDS,
  generateDisplayChecks,
  LIGHT_STEP,
  luminanceOf,
  renderDisplayCheck,
  scoreDisplayChecks,
  type DisplayCheck,
  type DisplayCheckKind,
  type DisplayCheckOutcome,
  type StimulusPresentation,
  type WindowSizeCheck,
} from "./display-checks";
