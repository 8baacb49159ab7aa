// The "methods" paragraph of a paper, written from a study's protocol and its computed figures so
// that what is reported is exactly what was run. Pure: numbers in, text out.
import { vigilanceTrialCount, type Protocol } from "@/lib/study/protocol";
import { formatDPrime, formatPercent, formatPoints, formatPValue } from "./format-figures";
import type { StudyResults } from "./result-types";

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
  sentences.push(
    `We ran a two-alternative forced-choice test following Zhang et al. (2016): on each trial, raters saw a real photograph and a recolorized version of the same photograph at ${protocol.stimulusSize}×${protocol.stimulusSize} pixels, ${presentation(protocol)}, and chose the one they believed had the real colours; the real photograph was on the left in a random half of the trials and ${limit}.`,
  );
  const vigilance = vigilanceTrialCount(protocol);
  const practice =
    protocol.practiceTrials > 0
      ? `Each session began with ${count(protocol.practiceTrials, "practice trial")} with feedback, which ${protocol.practiceTrials === 1 ? "was" : "were"} not analysed, followed by ${count(protocol.testTrials, "test trial")} without feedback`
      : `Each session had ${count(protocol.testTrials, "test trial")} without feedback`;
  sentences.push(
    vigilance > 0
      ? `${practice}, of which ${count(vigilance, "was a vigilance trial", "were vigilance trials")} pairing the real photograph with the Random baseline (colours copied from another image).`
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
  const level = `${Math.round(results.analysis.bootstrap.level * 100)}%`;
  const interval =
    results.analysis.bootstrap.variant === "two-way"
      ? "a two-way cluster bootstrap that resamples raters and images, its spread rescaled to the two-way cluster-robust variance (Cameron, Gelbach and Miller 2011) because resampling both margins counts trial-level variance twice"
      : "a cluster bootstrap that resamples raters";
  sentences.push(
    `The fool rate is the share of test trials in which the recolorized image was chosen as real (50% means indistinguishable from real photographs); we report it with a ${level} confidence interval from ${interval} (${integer.format(results.analysis.bootstrap.resamples)} resamples, percentile method, seed ${results.analysis.bootstrap.seed}), and the standard error of Zhang et al.'s bootstrap (raters, then each rater's trials; ${integer.format(results.analysis.paperBootstrap.resamples)} resamples) for comparison with published numbers.`,
  );
  const figures = results.methods
    .filter((method) => method.foolRate !== null && method.bootstrap && method.paper && method.dPrime)
    .map((method) => {
      const b = method.bootstrap as NonNullable<typeof method.bootstrap>;
      const paper = method.paper as NonNullable<typeof method.paper>;
      const dPrime = method.dPrime as NonNullable<typeof method.dPrime>;
      return `${method.name}: ${formatPercent(method.foolRate as number)} [${level} CI ${formatPercent(b.lower)}–${formatPercent(b.upper)}], ±${(paper.standardError * 100).toFixed(1)} (paper SE), d′ = ${formatDPrime(dPrime.estimate)}, from ${count(method.used.sessions, "rater")} and ${count(method.used.trials, "trial")}`;
    });
  if (figures.length > 0) sentences.push(`Fool rates — ${figures.join("; ")}.`);
  if (results.comparisons.length > 0) {
    const pairs = results.comparisons.map(
      (c) => `${c.nameA} − ${c.nameB} ${formatPoints(c.difference)} [${formatPoints(c.lower)}, ${formatPoints(c.upper)}], Holm-adjusted p ${formatPValue(c.adjustedPValue)}`,
    );
    sentences.push(
      `Pairwise differences between tested methods were tested with the same bootstrap and Holm-corrected over ${count(results.comparisons.length, "comparison")}: ${pairs.join("; ")}.`,
    );
  }
  sentences.push(`The protocol (SHA-256 ${results.protocolHash.slice(0, 12)}…) is recorded with the data.`);
  return sentences.join(" ");
}
