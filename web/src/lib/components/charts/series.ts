/** One line of TrendChart, as TrendLegend names it. */
export interface Series {
  name: string;
  color: string;
  /** An SVG stroke-dasharray: each line has its own, so colour is never the only cue. */
  dash: string;
  values: number[];
}
