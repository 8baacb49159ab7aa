/**
 * The trial plan of one rater session, decided on the server when the session starts (pure: the
 * database work lives in session-assignment.ts). Rules (docs/protocol.md, "Trial plan"):
 * - between design: every trial uses the session's one method; within: tested methods are spread
 *   over the test trials as evenly as possible;
 * - for each method, the images least shown for that method so far come first;
 * - no image twice in a session (practice, test and vigilance together);
 * - the real image is on the left in half of the trials of each phase (odd counts: random extra);
 * - vigilance trials (real vs the Random baseline) sit at random positions among the test trials.
 */

export type TrialKind = "practice" | "test" | "vigilance";

export interface PlannedTrial {
  position: number;
  kind: TrialKind;
  methodId: string;
  stimulusId: string;
  realOnLeft: boolean;
}

export interface PlanInput {
  practiceTrials: number;
  testTrials: number;
  vigilanceTrials: number;
  /** Methods this session's test trials use (one for between, all tested for within). */
  testMethodIds: string[];
  /** The Random baseline used for vigilance trials (required when vigilanceTrials > 0). */
  vigilanceMethodId: string | null;
  /** Stimuli that have a candidate for every method above, with how often each was shown per method. */
  stimulusIds: string[];
  /** timesShown.get(methodId)?.get(stimulusId): trials so far for that pair. */
  timesShown: Map<string, Map<string, number>>;
  random: () => number;
}

export class PlanError extends Error {
  override name = "PlanError";
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Half true, half false (a random one gets the odd extra), in random order. */
export function balancedSides(count: number, random: () => number): boolean[] {
  const left = Math.floor(count / 2) + (count % 2 === 1 && random() < 0.5 ? 1 : 0);
  return shuffle(Array.from({ length: count }, (_, index) => index < left), random);
}

export function planTrials(input: PlanInput): PlannedTrial[] {
  const { practiceTrials, testTrials, vigilanceTrials, testMethodIds, random } = input;
  if (testMethodIds.length === 0) throw new PlanError("The study has no tested method with candidates.");
  if (vigilanceTrials > testTrials) throw new PlanError("More vigilance trials than test trials.");
  if (vigilanceTrials > 0 && !input.vigilanceMethodId) throw new PlanError("Vigilance trials need the Random baseline.");
  const needed = practiceTrials + testTrials;
  if (input.stimulusIds.length < needed) {
    throw new PlanError(`A session needs ${needed} different images but only ${input.stimulusIds.length} have candidates for every method.`);
  }

  // Methods of the non-vigilance test trials, spread evenly (random order breaks ties).
  const regularCount = testTrials - vigilanceTrials;
  const rotation = shuffle(testMethodIds, random);
  const regularMethods = Array.from({ length: regularCount }, (_, index) => rotation[index % rotation.length] as string);
  const practiceMethods = Array.from({ length: practiceTrials }, () => rotation[Math.floor(random() * rotation.length)] as string);

  // Slots in the order images are chosen: scarcest first doesn't matter here because every
  // stimulus has a candidate for every method; we pick per slot the least shown unused image.
  const used = new Set<string>();
  const jitter = new Map(input.stimulusIds.map((id) => [id, random()]));
  const pickImage = (methodId: string): string => {
    const shown = input.timesShown.get(methodId);
    let best: string | undefined;
    let bestKey = Number.POSITIVE_INFINITY;
    for (const stimulusId of input.stimulusIds) {
      if (used.has(stimulusId)) continue;
      // Least shown first; the jitter (in [0,1)) breaks ties at random without reordering counts.
      const key = (shown?.get(stimulusId) ?? 0) + (jitter.get(stimulusId) ?? 0);
      if (key < bestKey) {
        bestKey = key;
        best = stimulusId;
      }
    }
    if (!best) throw new PlanError("Ran out of images.");
    used.add(best);
    return best;
  };

  // Test images are chosen before practice images so that the balance of the analysed trials
  // is what the least-shown rule optimizes.
  const regular = regularMethods.map((methodId) => ({ kind: "test" as const, methodId, stimulusId: pickImage(methodId) }));
  const vigilance = Array.from({ length: vigilanceTrials }, () => {
    const methodId = input.vigilanceMethodId as string;
    return { kind: "vigilance" as const, methodId, stimulusId: pickImage(methodId) };
  });
  const practice = practiceMethods.map((methodId) => ({ kind: "practice" as const, methodId, stimulusId: pickImage(methodId) }));

  const testPhase = shuffle([...regular, ...vigilance], random);
  const practiceSides = balancedSides(practice.length, random);
  const testSides = balancedSides(testPhase.length, random);
  return [
    ...practice.map((trial, index) => ({ ...trial, realOnLeft: practiceSides[index] as boolean })),
    ...testPhase.map((trial, index) => ({ ...trial, realOnLeft: testSides[index] as boolean })),
  ].map((trial, position) => ({ position, ...trial }));
}
