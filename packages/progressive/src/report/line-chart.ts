import { Raster, type Rgb } from './raster.js';

/** One line of a chart. */
export interface Series {
  name: string;
  color: Rgb;
  points: readonly (readonly [number, number])[];
  /** Draw as steps (a value holds until the next point), e.g. a schedule. */
  steps?: boolean;
  /** Mark every point with a dot (sparse series such as per-epoch evaluations). */
  dots?: boolean;
}

/** A line chart: title, axis labels and series. */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
}

/** Colours for series, in order. */
export const PALETTE: readonly Rgb[] = [[31, 119, 180], [214, 39, 40], [44, 160, 44], [148, 103, 189], [255, 127, 14], [23, 190, 207]];

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function label(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** Draws a line chart with axes, ticks, a legend and a title; returns PNG bytes. */
export async function renderLineChart(chart: LineChart): Promise<Uint8Array> {
  const W = chart.width ?? 720;
  const H = chart.height ?? 420;
  const img = new Raster(W, H);
  const pad = { left: 80, right: 20, top: 50, bottom: 60 };
  const all = chart.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - 1, y1 + 1];
  const margin = (y1 - y0) * 0.05;
  [y0, y1] = [y0 - margin, y1 + margin];
  const px = (x: number) => pad.left + ((x - x0) / (x1 - x0)) * (W - pad.left - pad.right);
  const py = (y: number) => H - pad.bottom - ((y - y0) / (y1 - y0)) * (H - pad.top - pad.bottom);
  const grid: Rgb = [225, 225, 225];
  const ink: Rgb = [40, 40, 40];
  for (const t of niceTicks(x0, x1)) {
    img.line(px(t), pad.top, px(t), H - pad.bottom, grid);
    img.text(px(t), H - pad.bottom + 8, label(t), ink, 1, 'center');
  }
  for (const t of niceTicks(y0, y1)) {
    img.line(pad.left, py(t), W - pad.right, py(t), grid);
    img.text(pad.left - 6, py(t) - 3, label(t), ink, 1, 'right');
  }
  img.line(pad.left, H - pad.bottom, W - pad.right, H - pad.bottom, ink);
  img.line(pad.left, pad.top, pad.left, H - pad.bottom, ink);
  img.text(W / 2, 16, chart.title, ink, 2, 'center');
  img.text(W / 2, H - 22, chart.xLabel, ink, 1, 'center');
  img.text(8, pad.top - 30, chart.yLabel, ink, 1, 'left');
  for (const s of chart.series) {
    const pts = s.points;
    for (let i = 1; i < pts.length; i++) {
      const [a, b] = [pts[i - 1]!, pts[i]!];
      if (s.steps) {
        img.line(px(a[0]), py(a[1]), px(b[0]), py(a[1]), s.color, 2);
        img.line(px(b[0]), py(a[1]), px(b[0]), py(b[1]), s.color, 2);
      } else img.line(px(a[0]), py(a[1]), px(b[0]), py(b[1]), s.color, 2);
    }
    if (s.dots || pts.length === 1) for (const p of pts) img.rect(px(p[0]) - 3, py(p[1]) - 3, 7, 7, s.color);
  }
  let lx = pad.left + 10;
  for (const s of chart.series) {
    img.rect(lx, pad.top - 14, 14, 4, s.color);
    img.text(lx + 18, pad.top - 16, s.name, ink);
    lx += 30 + img.textWidth(s.name);
  }
  return img.png();
}
