"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import type { SessionState } from "@/lib/contract/rater-api";
import type { DisplayCheckView, ScreeningView } from "@/lib/contract/screening-api";
import { runWithRetry } from "@/lib/rater-client/retry";
import { fetchScreening, postScreening } from "@/lib/rater-client/screening-api";
import { checkWindowSize, plateFromWire, renderDisplayCheck, renderPlate, type RgbaImage } from "@/lib/screening";
import { browserRetryHooks } from "./browser-runtime";
import { FocusHeading } from "./focus-heading";

const fetchFn = (input: string, init?: RequestInit) => window.fetch(input, init);

/** Tile positions of a display check, in the order of DisplayCheck.tiles. */
const TILE_LABELS = ["Top left", "Top right", "Bottom left", "Bottom right"] as const;

type Step = { kind: "intro" } | { kind: "plate"; index: number } | { kind: "display"; index: number } | { kind: "window" } | { kind: "sending" };

/** Paints an RGBA image 1:1 into a canvas (no smoothing, no colour management beyond the browser's sRGB). */
function PixelCanvas({ image, label, testId }: { image: RgbaImage; label: string; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const context = canvas?.getContext("2d");
    if (!canvas || !context) return;
    context.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
    // Marks the canvas as showing its image (it mounts blank): what an observer may look at.
    canvas.dataset.painted = "true";
  }, [image]);
  return <canvas ref={ref} width={image.width} height={image.height} style={{ width: image.width, height: image.height }} role="img" aria-label={label} data-testid={testId} className="mx-auto block" />;
}

function useViewport(): { width: number; height: number } {
  const [viewport, setViewport] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const measure = () => setViewport({ width: window.innerWidth, height: window.innerHeight });
    measure();
    window.addEventListener("resize", measure);
    return () => window.removeEventListener("resize", measure);
  }, []);
  return viewport;
}

/**
 * The screening before practice (docs/colour-vision-screening.md): the session's plates, each
 * drawn on a canvas from the dots the server sent and answered by choosing among its options,
 * then the display checks, then the window's size. The page keeps the choices only; the server
 * scores them and says what comes next.
 */
export function ScreeningStage({ studyId, onDone, onError }: { studyId: string; onDone: (session: SessionState) => void; onError: (error: unknown) => void }) {
  const [view, setView] = useState<ScreeningView | null>(null);
  const [step, setStep] = useState<Step>({ kind: "intro" });
  const [plateAnswers, setPlateAnswers] = useState<string[]>([]);
  const [displayAnswers, setDisplayAnswers] = useState<(number | null)[]>([]);
  const viewport = useViewport();

  useEffect(() => {
    let cancelled = false;
    runWithRetry(() => fetchScreening(fetchFn, studyId), browserRetryHooks()).then(
      (screening) => !cancelled && setView(screening),
      (error: unknown) => !cancelled && onError(error),
    );
    return () => {
      cancelled = true;
    };
  }, [studyId, onError]);

  const plates = useMemo(() => view?.plates.map(plateFromWire) ?? [], [view]);

  if (!view) {
    return (
      <main className="px-4 py-16 text-center text-neutral-500" aria-busy>
        Preparing a few quick checks…
      </main>
    );
  }

  const submit = (chosenOptions: string[], chosenTiles: (number | null)[]) => {
    setStep({ kind: "sending" });
    const answers = { plates: chosenOptions, display: chosenTiles, viewport: { width: window.innerWidth, height: window.innerHeight } };
    runWithRetry(() => postScreening(fetchFn, studyId, answers), browserRetryHooks()).then(onDone, onError);
  };
  // After the last plate: the display checks, then the window, then the server.
  const afterPlates = (chosenOptions: string[]) => {
    if (view.displayChecks.length > 0) setStep({ kind: "display", index: 0 });
    else if (view.window.check) setStep({ kind: "window" });
    else submit(chosenOptions, []);
  };

  switch (step.kind) {
    case "intro":
      return (
        <main className="mx-auto max-w-xl space-y-5 px-4 py-16" data-testid="screening-intro">
          <FocusHeading>A few quick checks first</FocusHeading>
          <p className="text-neutral-800">
            {view.plates.length > 0 && <>You will see {view.plates.length} circles of coloured dots. Some hide a number or a shape; choose what you see, or “Nothing”. </>}
            {view.displayChecks.length > 0 && <>Then {view.displayChecks.length} short checks of your screen. </>}
            There are no trick questions; just answer what you see, without zooming or changing your screen settings.
          </p>
          <button
            type="button"
            data-testid="screening-start"
            onClick={() => (plates.length > 0 ? setStep({ kind: "plate", index: 0 }) : afterPlates([]))}
            className="rounded bg-neutral-900 px-5 py-2.5 font-medium text-white"
          >
            Start
          </button>
        </main>
      );
    case "plate": {
      const plate = plates[step.index];
      if (!plate) return null;
      return (
        <main className="mx-auto max-w-xl space-y-4 px-4 py-8 text-center" data-testid="screening-plate-step" data-index={step.index}>
          <p className="text-sm text-neutral-500">
            Circle {step.index + 1} of {plates.length}
          </p>
          <PlateImage key={step.index} plate={plate} />
          <p className="text-neutral-800">What do you see in the circle?</p>
          <div className="flex flex-wrap justify-center gap-2">
            {plate.options.map((option) => (
              <button
                key={option.id}
                type="button"
                data-testid="plate-option"
                data-option-id={option.id}
                className="min-w-16 rounded border border-neutral-400 bg-white px-4 py-2 font-medium hover:bg-neutral-100"
                onClick={() => {
                  const answers = [...plateAnswers, option.id];
                  setPlateAnswers(answers);
                  if (step.index + 1 < plates.length) setStep({ kind: "plate", index: step.index + 1 });
                  else afterPlates(answers);
                }}
              >
                {option.label}
              </button>
            ))}
          </div>
        </main>
      );
    }
    case "display": {
      const check = view.displayChecks[step.index];
      if (!check) return null;
      const choose = (tile: number | null) => {
        const answers = [...displayAnswers, tile];
        setDisplayAnswers(answers);
        if (step.index + 1 < view.displayChecks.length) setStep({ kind: "display", index: step.index + 1 });
        else if (view.window.check) setStep({ kind: "window" });
        else submit(plateAnswers, answers);
      };
      return (
        <main className="mx-auto max-w-xl space-y-4 px-4 py-8 text-center" data-testid="screening-display-step" data-index={step.index}>
          <p className="text-sm text-neutral-500">
            Screen check {step.index + 1} of {view.displayChecks.length}
          </p>
          <DisplayCheckImage key={step.index} check={check} />
          <p className="text-neutral-800">{check.prompt}</p>
          <div className="grid grid-cols-2 gap-2">
            {TILE_LABELS.map((label, tile) => (
              <button key={label} type="button" data-testid="display-option" data-tile={tile} className="rounded border border-neutral-400 bg-white px-4 py-2 font-medium hover:bg-neutral-100" onClick={() => choose(tile)}>
                {label}
              </button>
            ))}
          </div>
          <button type="button" data-testid="display-option" data-tile="none" className="text-sm text-neutral-600 underline" onClick={() => choose(null)}>
            I can’t see a difference
          </button>
        </main>
      );
    }
    case "window": {
      const fit = checkWindowSize(viewport, view.window.stimulusSize, view.window.presentation);
      const smallest = fit.needs[0];
      return (
        <main className="mx-auto max-w-xl space-y-5 px-4 py-16" data-testid="screening-window-step" data-fits={fit.fits}>
          <FocusHeading>Window size</FocusHeading>
          <p className="text-neutral-800">
            {fit.fits
              ? "Your browser window is large enough to show the photos at full size."
              : `The photos need a larger window (at least ${smallest?.minWidth ?? "?"} × ${smallest?.minHeight ?? "?"} pixels; yours is ${viewport.width} × ${viewport.height}). Please make the window larger or leave full-screen zoom, then continue.`}
          </p>
          <button type="button" data-testid="screening-finish" onClick={() => submit(plateAnswers, displayAnswers)} className="rounded bg-neutral-900 px-5 py-2.5 font-medium text-white">
            Continue
          </button>
        </main>
      );
    }
    case "sending":
      return (
        <main className="px-4 py-16 text-center text-neutral-500" aria-busy data-testid="screening-sending">
          Checking your answers…
        </main>
      );
  }
}

function PlateImage({ plate }: { plate: ReturnType<typeof plateFromWire> }) {
  const image = useMemo(() => renderPlate(plate), [plate]);
  return <PixelCanvas image={image} label="A circle of coloured dots" testId="screening-plate" />;
}

function DisplayCheckImage({ check }: { check: DisplayCheckView }) {
  const image = useMemo(() => renderDisplayCheck(check), [check]);
  return <PixelCanvas image={image} label="Four squares on a background" testId="screening-display" />;
}
