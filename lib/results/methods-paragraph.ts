// The "methods" paragraph of a paper, written from a study's protocol and its computed figures so
// that what is reported is exactly what was run. Pure: numbers in, text out.
import { vigilanceTrialCount, type Protocol } from "@/lib/contract/protocol";
import { formatDPrime, formatPercent, formatPoints, formatPValue } from "./format-figures";
import type { StudyResults } from "./result-types";
import { MASK_MS } from "@/lib/study/trial-format";
import type { DesignFigures } from "./design-figures";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${integer.format(n)} ${n === 1 ? singular : plural}`;
}

function presentation(protocol: Protocol): string {
  const p = protocol.presentation;
  if (p.mode === "sequential") {
    return `shown one after the other (left image ${integer.format(p.exposureMs)} ms, ${integer.format(p.blankMs)} ms blank, right image ${integer.format(p.exposureMs)} ms)`;
  }
  if (p.mode === "side-by-side") return `shown side by side for ${integer.format(p.exposureMs)} ms`;
  return "shown side by side until the rater answered";
}

function exclusionRule(protocol: Protocol): string {
  const { maxVigilanceFailures, maxTimingFlaggedShare, maxTooFastAnswers } = protocol.exclusion;
  const vigilance =
    maxVigilanceFailures === 0 ? "failed any vigilance trial" : `failed more than ${count(maxVigilanceFailures, "vigilance trial")}`;
  const pace = maxTooFastAnswers === 0 ? "any answer" : `more than ${count(maxTooFastAnswers, "answer")}`;
  return `${vigilance}, had flagged stimulus timing on more than ${formatPercent(maxTimingFlaggedShare, 0)} of their trials, or sent ${pace} sooner than the presentation allows (by the server's clock)`;
}

/**
 * Writes the methods paragraph of a study: task and presentation, session structure, design,
 * exclusion rules and how many sessions they removed, the fool-rate definition and interval
 * method, every method's figure, and the pairwise comparisons.
 *
 * @example
 * writeMethodsParagraph(results);
 * // "We ran a two-alternative forced-choice test following Zhang et al. (2016): … Ours: fool rate
 * //  32.3% [95% CI 29.1–35.6%], 40 raters, 1,440 trials …"
 */
export function writeMethodsParagraph(results: Omit<StudyResults, "computeMs">): string {
  const protocol = results.protocol;
  const sentences: string[] = [];
  const limit =
    protocol.responseTimeLimitMs === null
      ? "response time was unlimited"
      : `raters had ${(protocol.responseTimeLimitMs / 1000).toFixed(1)} s to answer`;
  const single = protocol.trialFormat.kind !== "paired";
  sentences.push(
    single
      ? `${singleImageTask(protocol)}; ${limit}.`
      : `We ran a two-alternative forced-choice test following Zhang et al. (2016): on each trial, raters saw a real photograph and a recolorized version of the same photograph at ${protocol.stimulusSize}×${protocol.stimulusSize} pixels, ${presentation(protocol)}, and chose the one they believed had the real colours; the real photograph was on the left in a random half of the trials and ${limit}.`,
  );
  const vigilance = vigilanceTrialCount(protocol);
  const practice =
    protocol.practiceTrials > 0
      ? `Each session began with ${count(protocol.practiceTrials, "practice trial")} with feedback, which ${protocol.practiceTrials === 1 ? "was" : "were"} not analysed, followed by ${count(protocol.testTrials, "test trial")} without feedback`
      : `Each session had ${count(protocol.testTrials, "test trial")} without feedback`;
  sentences.push(
    vigilance > 0
      ? `${practice}, of which ${count(vigilance, "was a vigilance trial", "were vigilance trials")} ${single ? "showing the Random baseline's output (colours copied from another image), failed when judged real" : "pairing the real photograph with the Random baseline (colours copied from another image)"}.`
      : `${practice}.`,
  );
  sentences.push(
    protocol.design === "between"
      ? `Each session tested one method (between-subjects design), with a target of ${count(protocol.targetSessionsPerMethod, "rater")} per method.`
      : "Each session mixed the tested methods (within-subjects design).",
  );
  const s = results.sessions;
  const reasons: string[] = [];
  if (s.excludedByReason.vigilance > 0) reasons.push(`${integer.format(s.excludedByReason.vigilance)} for vigilance failures`);
  if (s.excludedByReason.timing > 0) reasons.push(`${integer.format(s.excludedByReason.timing)} for timing`);
  if (s.excludedByReason.pace > 0) reasons.push(`${integer.format(s.excludedByReason.pace)} for answering faster than the presentation allows`);
  if (s.excludedByReason["no-trials"] > 0) reasons.push(`${integer.format(s.excludedByReason["no-trials"])} without answered trials`);
  sentences.push(
    `Exclusion rules were fixed before data collection: sessions that ${exclusionRule(protocol)} were excluded. Of ${count(s.byStatus.completed, "completed session")}, ${integer.format(s.excluded)} ${s.excluded === 1 ? "was" : "were"} excluded${reasons.length ? ` (${reasons.join(", ")})` : ""}; ${count(s.incomplete, "incomplete session")} ${s.incomplete === 1 ? "was" : "were"} not analysed.`,
  );
  const screening = screeningSentence(results);
  if (screening) sentences.push(screening);
  if (single && results.designFigures) {
    sentences.push(...designSentences(results.designFigures));
    sentences.push(`The protocol (SHA-256 ${results.protocolHash.slice(0, 12)}…) is recorded with the data.`);
    return sentences.join(" ");
  }
  const level = `${Math.round(results.analysis.interval.level * 100)}%`;
  const { minimumRaters, minimumImages } = results.analysis.interval;
  const bootstrap =
    results.analysis.bootstrap.variant === "two-way"
      ? `a two-way bootstrap that resamples raters${results.analysis.bootstrap.jointRaters ? " (jointly across methods)" : ""} and images (Owen 2007), which counts the trial-level variance three times and is therefore conservative`
      : `a cluster bootstrap that resamples raters${results.analysis.bootstrap.jointRaters ? " jointly across methods" : ""}`;
  sentences.push(
    `The fool rate is the share of test trials in which the recolorized image was chosen as real (50% means indistinguishable from real photographs). Raters and images are both samples, crossed with each other, so we report it with a ${level} confidence interval from the two-way cluster-robust variance (clustered by rater, plus by image, minus by rater–image cell, which counts the trial-level variance once; Cameron, Gelbach and Miller 2011), in the Wilson form at the effective sample size with Student's t on min(raters, images) − 1 degrees of freedom (Korn and Graubard 1998); it is never narrower than the Wilson interval of the pooled counts. Intervals and tests are reported only for methods with at least ${count(minimumRaters, "rater")} and ${count(minimumImages, "image")}, the smallest design whose coverage we checked by simulation. For reference we also give the interval of ${bootstrap} (${integer.format(results.analysis.bootstrap.resamples)} resamples, percentile method, seed ${results.analysis.bootstrap.seed}) and the standard error of Zhang et al.'s bootstrap (raters, then each rater's trials; ${integer.format(results.analysis.paperBootstrap.resamples)} resamples) for comparison with published numbers. Sensitivity is d′ = √2·Φ⁻¹(1 − fool rate), with the 1/(2N) rule at 0% and 100% (Macmillan and Kaplan 1985); d′ with the side bias removed is (z(H) − z(F))/√2, H and F the rates of answering "left" when the real photograph was on the left and on the right.`,
  );
  const figures = results.methods
    .filter((method) => method.foolRate !== null && method.dPrime)
    .map((method) => {
      const dPrime = method.dPrime as NonNullable<typeof method.dPrime>;
      const base = `${method.name}: ${formatPercent(method.foolRate as number)}`;
      const tail = `d′ = ${formatDPrime(dPrime.estimate)}, from ${count(method.used.sessions, "rater")}, ${count(method.used.images, "image")} and ${count(method.used.trials, "trial")}`;
      if (!method.interval || !method.paper) return `${base} (no interval: ${method.withheld ?? "no data"}), ${tail}`;
      return `${base} [${level} CI ${formatPercent(method.interval.lower)}–${formatPercent(method.interval.upper)}], ±${(method.paper.standardError * 100).toFixed(1)} (paper SE), ${tail}`;
    });
  if (figures.length > 0) sentences.push(`Fool rates — ${figures.join("; ")}.`);
  if (results.comparisons.length > 0) {
    const pairs = results.comparisons.map(
      (c) => `${c.nameA} − ${c.nameB} ${formatPoints(c.difference)} [${formatPoints(c.lower)}, ${formatPoints(c.upper)}], adjusted p ${formatPValue(c.adjustedPValue)}`,
    );
    sentences.push(
      `Pairwise differences between tested methods use the same two-way variance, with each rater and each image one cluster across methods${results.design === "within" ? " (so the within-subjects pairing is kept)" : ""}; we give simultaneous ${level} intervals and Bonferroni-adjusted p-values over ${count(results.comparisons.length, "comparison")}, one family in which an interval excludes zero exactly when its adjusted p-value is below ${(1 - results.analysis.interval.level).toFixed(2)}: ${pairs.join("; ")}.`,
    );
  }
  sentences.push(`The protocol (SHA-256 ${results.protocolHash.slice(0, 12)}…) is recorded with the data.`);
  return sentences.join(" ");
}

/** The task of a single-image design: HYPE∞ (untimed) or HYPE-time (the staircase and the mask). */
function singleImageTask(protocol: Protocol): string {
  const format = protocol.trialFormat;
  if (format.kind === "paired") throw new Error("not a single-image design");
  const size = `${protocol.stimulusSize}×${protocol.stimulusSize} pixels`;
  const share = formatPercent(format.realShare, 0);
  const judged = "and judged whether it had its real colours or had been recolorized";
  if (format.kind === "single-image") {
    return `We ran single-image trials following HYPE∞ (Zhou et al. 2019): on each trial, raters saw one photograph at ${size}, the real photograph in ${share} of the trials and otherwise a recolorized version, until they answered, ${judged}`;
  }
  const levels = format.exposuresMs;
  const first = levels[0] as number;
  const last = levels[levels.length - 1] as number;
  return `We ran HYPE-time's adaptive-exposure design (Zhou et al. 2019): on each trial, raters saw one photograph at ${size} (the real photograph in ${share} of the trials, otherwise a recolorized version) for an exposure set by a staircase, followed by a ${integer.format(MASK_MS)} ms mask, ${judged}. The staircase ran per rater and method over ${count(levels.length, "exposure")} from ${integer.format(first)} to ${integer.format(last)} ms, starting at ${integer.format(levels[format.startIndex] as number)} ms: ${count(format.correctToShorten, "correct answer")} in a row shortened the exposure by one step and ${count(format.wrongToLengthen, "wrong answer")} in a row lengthened it (practice trials at the starting exposure and vigilance trials at the longest did not move it); the server set every exposure from the stored answers`;
}

/** The figures of a single-image design, with their definitions. */
function designSentences(figures: DesignFigures): string[] {
  const level = `${Math.round(figures.bootstrap.level * 100)}%`;
  const interval = (value: { lower: number; upper: number }) => `[${level} CI ${formatPercent(value.lower)}–${formatPercent(value.upper)}]`;
  const sentences = [
    `HYPE∞ is the raters' error rate over all single-image judgements, fakes judged real plus reals judged fake over all judgements (50% means the recolorized images cannot be told from real photographs); beside it we give the fake error (recolorized images judged real over recolorized images: the single-image fool rate) and the real error (real photographs judged fake). Each comes with the ${level} percentile interval of ${integer.format(figures.bootstrap.resamples)} bootstrap resamples of raters, each keeping all their judgements (seed ${figures.bootstrap.seed}).`,
  ];
  if (figures.kind === "adaptive-exposure") {
    sentences.push(
      `A rater's perceptual threshold is the exposure they were shown most often (the mean of the tied exposures when several were), and a method's HYPE-time score is the mean threshold over its raters, with the ${level} percentile interval of the same number of bootstrap resamples of raters; a longer threshold means raters needed to look longer to tell the method's output from real photographs.`,
    );
  }
  const parts = figures.methods.map((method) => {
    const rates = method.hypeInfinity && method.fakeError && method.realError
      ? `HYPE∞ ${formatPercent(method.hypeInfinity.estimate)} ${interval(method.hypeInfinity)}, fake error ${formatPercent(method.fakeError.estimate)} ${interval(method.fakeError)}, real error ${formatPercent(method.realError.estimate)} ${interval(method.realError)}`
      : "no HYPE∞ (it needs both real and recolorized trials)";
    const threshold = method.thresholdMs
      ? `, threshold ${integer.format(method.thresholdMs.estimate)} ms [${level} CI ${integer.format(method.thresholdMs.lower)}–${integer.format(method.thresholdMs.upper)} ms]`
      : "";
    return `${method.name}: ${rates}${threshold}, from ${count(method.raters, "rater")}, ${count(method.fakeTrials, "recolorized trial")} and ${count(method.realTrials, "real trial")}`;
  });
  if (parts.length > 0) sentences.push(`${figures.kind === "adaptive-exposure" ? "Results" : "HYPE∞"} — ${parts.join("; ")}.`);
  return sentences;
}

/** The screening before practice, in a sentence (docs/colour-vision-screening.md); null when off. */
function screeningSentence(results: Pick<StudyResults, "protocol" | "screening" | "withoutFlagged">): string | null {
  const { screening } = results.protocol;
  const counts = results.screening;
  if (!counts || (!screening.colourVision && !screening.display)) return null;
  const parts = [
    screening.colourVision
      ? `${screening.platesPerAxis} pseudo-isochromatic plates per dichromacy axis (protan, deutan, tritan; generated per session, an axis failed with more than ${count(screening.maxMissesPerAxis, "miss", "misses")}) and a control plate`
      : null,
    screening.display ? "display checks (dark and light steps, saturated colours) and a window large enough for the photos" : null,
  ].filter((part): part is string => part !== null);
  const rule = screening.onFail === "end" ? "raters who failed were ended before practice and not analysed" : "raters who failed were kept and flagged";
  const flagged = results.withoutFlagged
    ? ` Fool rates without the ${count(results.withoutFlagged.flaggedSessions, "flagged rater")}: ${results.withoutFlagged.methods
        .filter((method) => method.foolRate !== null)
        .map((method) => `${method.name} ${formatPercent(method.foolRate as number)}`)
        .join("; ")}.`
    : "";
  return `Before practice, raters were screened with ${parts.join(", and ")}; ${rule}. Of ${count(counts.screened, "rater")} screened, ${integer.format(counts.passed)} passed, ${integer.format(counts.flagged)} ${counts.flagged === 1 ? "was" : "were"} flagged and ${integer.format(counts.screenedOut)} screened out.${flagged}`;
}
