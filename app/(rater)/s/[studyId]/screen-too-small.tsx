import type { LayoutNeed } from "@/lib/rater-client/stimulus-layout";

/**
 * Shown instead of the photos when the window cannot hold both at their full size: the photos
 * are never shrunk (stimulus-layout.ts), so the rater is asked for more room.
 */
export function ScreenTooSmall({ needs, stimulusSize, overlay = false }: { needs: LayoutNeed[]; stimulusSize: number; overlay?: boolean }) {
  const row = needs.find((need) => need.kind === "row");
  const column = needs.find((need) => need.kind === "column");
  return (
    <div
      role="alert"
      data-testid="screen-too-small"
      className={overlay ? "fixed inset-0 z-20 flex items-center justify-center bg-neutral-50 p-4" : "rounded border border-amber-300 bg-amber-50 p-4"}
    >
      <div className="max-w-md space-y-2 text-sm text-neutral-800">
        <p className="font-semibold">This window is too small for the photos.</p>
        <p>
          The two photos must be shown at their full size ({stimulusSize}×{stimulusSize} pixels each). Please make the window
          larger, turn your device, or use a computer or tablet.
        </p>
        {row && column && (
          <p className="text-neutral-600">
            Needed: at least {row.minWidth}×{row.minHeight} (side by side) or {column.minWidth}×{column.minHeight} (one above the
            other) screen pixels.
          </p>
        )}
      </div>
    </div>
  );
}
