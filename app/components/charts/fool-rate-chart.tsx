"use client";

import { Bar, BarChart, CartesianGrid, Cell, ErrorBar, LabelList, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";

export interface FoolRateBar {
  name: string;
  /** Fool rate and its interval bounds, as proportions in [0, 1]; null bounds: no interval (too few raters or images). */
  foolRate: number;
  lower: number | null;
  upper: number | null;
  tested: boolean;
  raters: number;
}

interface Datum {
  name: string;
  rate: number;
  /** Asymmetric whiskers for recharts: [below, above] the bar, in percent; null draws none. */
  whisker: [number, number] | null;
  lowerPct: number | null;
  upperPct: number | null;
  tested: boolean;
  raters: number;
}

const pct = (value: number) => Math.round(value * 1000) / 10;

/**
 * Fool rates as bars with their 95% interval as whiskers (ErrorBar) and a dashed line at 50%, the
 * rate of a colorization indistinguishable from real photos (Zhang et al. 2016, §4.1).
 */
export function FoolRateChart({ bars, intervalLabel, dataNote }: { bars: FoolRateBar[]; intervalLabel: string; dataNote: string }) {
  const data: Datum[] = bars.map((bar) => ({
    name: bar.name,
    rate: pct(bar.foolRate),
    whisker: bar.lower === null || bar.upper === null ? null : [pct(bar.foolRate) - pct(bar.lower), pct(bar.upper) - pct(bar.foolRate)],
    lowerPct: bar.lower === null ? null : pct(bar.lower),
    upperPct: bar.upper === null ? null : pct(bar.upper),
    tested: bar.tested,
    raters: bar.raters,
  }));
  const top = Math.min(100, Math.max(60, Math.ceil((Math.max(0, ...data.map((d) => d.upperPct ?? d.rate)) + 5) / 10) * 10));
  return (
    <figure data-testid="fool-rate-chart" className="rounded border border-neutral-200 bg-white p-4">
      <BarChart
        responsive
        data={data}
        margin={{ top: 24, right: 24, bottom: 8, left: 8 }}
        style={{ width: "100%", height: 340 }}
        accessibilityLayer
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="name" interval={0} tick={{ fontSize: 12 }} />
        <YAxis domain={[0, top]} unit="%" tick={{ fontSize: 12 }} width={48} />
        <Tooltip
          formatter={(_value, _name, item) => {
            const datum = (item as { payload?: Datum }).payload;
            if (!datum) return ["", ""];
            const interval = datum.lowerPct === null || datum.upperPct === null ? "no interval" : `[${datum.lowerPct.toFixed(1)}–${datum.upperPct.toFixed(1)}]`;
            return [`${datum.rate.toFixed(1)}% ${interval} from ${datum.raters} raters`, "Fool rate"];
          }}
        />
        <ReferenceLine y={50} stroke="#b91c1c" strokeDasharray="6 4" label={{ value: "50% = indistinguishable", position: "insideTopRight", fontSize: 12, fill: "#b91c1c" }} />
        <Bar dataKey="rate" name="Fool rate" isAnimationActive={false}>
          {data.map((datum) => (
            <Cell key={datum.name} fill={datum.tested ? "#404040" : "#a3a3a3"} />
          ))}
          <ErrorBar dataKey="whisker" width={10} strokeWidth={1.5} stroke="#111827" direction="y" />
          <LabelList dataKey="rate" position="insideBottom" fill="#ffffff" fontSize={12} formatter={(value: unknown) => `${Number(value).toFixed(1)}%`} />
        </Bar>
      </BarChart>
      <figcaption className="mt-2 text-xs text-neutral-600">
        Fool rate per method (share of test trials in which the colorization was chosen as real). Whiskers: {intervalLabel}. Grey bars: untested baselines. {dataNote}
      </figcaption>
    </figure>
  );
}
