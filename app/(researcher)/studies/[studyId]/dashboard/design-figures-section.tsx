import type { DesignFigures, EstimateFigure } from "@/lib/results/design-figures";
import { formatPercent } from "@/lib/results/format-figures";

const th = "p-2 font-medium";
const td = "p-2 tabular-nums";

function rate(value: EstimateFigure | null): string {
  return value ? `${formatPercent(value.estimate)} (${formatPercent(value.lower)}–${formatPercent(value.upper)})` : "—";
}

function milliseconds(value: EstimateFigure | null): string {
  return value ? `${Math.round(value.estimate)} ms (${Math.round(value.lower)}–${Math.round(value.upper)} ms)` : "—";
}

/**
 * The single-image designs' own figures (docs/study-designs.md): HYPE∞ with the fake and real
 * error, and for adaptive exposure the threshold per method, each with its rater bootstrap
 * interval. The fool-rate table below them counts fake trials only (the fake error).
 */
export function DesignFiguresSection({ figures }: { figures: DesignFigures }) {
  const adaptive = figures.kind === "adaptive-exposure";
  const level = `${Math.round(figures.bootstrap.level * 100)}%`;
  return (
    <section aria-labelledby="design-heading" className="space-y-2" data-testid="design-figures" data-design={figures.kind}>
      <h2 id="design-heading" className="text-lg font-medium">
        {adaptive ? "Adaptive exposure (HYPE-time)" : "Single-image judgements (HYPE∞)"}
      </h2>
      <div className="overflow-x-auto">
        <table className="w-full border-collapse text-left text-sm">
          <thead>
            <tr className="border-b border-neutral-300">
              <th className={th}>Method</th>
              {adaptive && <th className={th}>Threshold ({level} CI)</th>}
              <th className={th}>HYPE∞ ({level} CI)</th>
              <th className={th}>Fake error: fakes judged real</th>
              <th className={th}>Real error: reals judged fake</th>
              <th className={th}>Raters</th>
              <th className={th}>Fake / real trials</th>
            </tr>
          </thead>
          <tbody>
            {figures.methods.map((method) => (
              <tr key={method.methodId} className="border-b border-neutral-100" data-testid={`design-row-${method.name}`}>
                <td className="p-2">{method.name}</td>
                {adaptive && <td className={td} data-testid="threshold">{milliseconds(method.thresholdMs)}</td>}
                <td className={td} data-testid="hype-infinity">{rate(method.hypeInfinity)}</td>
                <td className={td}>{rate(method.fakeError)}</td>
                <td className={td}>{rate(method.realError)}</td>
                <td className={td} data-testid="design-raters">{method.raters}</td>
                <td className={td} data-testid="design-trials">
                  {method.fakeTrials} / {method.realTrials}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="text-xs text-neutral-500">
        HYPE∞ = (fakes judged real + reals judged fake) / all judgements; 50% means the colorizations cannot be told from real photos.
        {adaptive && " Threshold: each rater's most frequent exposure on the staircase, averaged over raters; longer is better for the method."}{" "}
        Intervals: {level} percentile, {figures.bootstrap.resamples.toLocaleString("en-US")} bootstrap resamples of raters over analysed sessions. The fool rates below count fake trials only (the fake error, with the paired design&apos;s intervals).
      </p>
    </section>
  );
}
