import type { ScreeningView } from "@/lib/contract/screening-api";
import { judgePlate, plateFromWire, renderPlate, type ObserverVision } from "@/lib/screening";

/** What a simulated observer answers, from the drawing the page is given (no answers in it). */
export function observerAnswers(view: ScreeningView, vision: ObserverVision): { plates: string[]; display: number[] } {
  const plates = view.plates.map((wire) => {
    const drawing = plateFromWire(wire);
    return judgePlate(drawing, renderPlate(drawing), vision).answer;
  });
  // A working display: the odd tile is the one whose colour differs from the other three.
  const display = view.displayChecks.map((check) => {
    const keys = check.tiles.map((rgb) => rgb.join(","));
    return keys.findIndex((key) => keys.filter((other) => other === key).length === 1);
  });
  return { plates, display };
}
