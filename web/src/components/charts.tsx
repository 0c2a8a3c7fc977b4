// Charts drawn as SVG by the app itself (no chart library, nothing fetched): each is an image with
// a text alternative, and its figures are also in a table screen readers can read.

export interface Bar {
  label: string;
  value: number;
}

/** Vertical bars, one per label (a week's load). */
export function BarChart({ title, bars, unit }: { title: string; bars: Bar[]; unit: string }) {
  const width = 320;
  const height = 140;
  const top = Math.max(1, ...bars.map((bar) => bar.value));
  const slot = width / Math.max(1, bars.length);
  const labelEvery = Math.ceil(bars.length / 8); // at most eight labels fit under 320 px
  const summary = bars.map((bar) => `${bar.label}: ${Math.round(bar.value)} ${unit}`).join(", ");
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 18}`} role="img" aria-label={`${title}. ${summary}`}>
        {bars.map((bar, index) => {
          const barHeight = (bar.value / top) * height;
          return (
            <g key={bar.label}>
              <rect x={index * slot + 4} y={height - barHeight} width={slot - 8} height={barHeight} className="bar">
                <title>{`${bar.label}: ${Math.round(bar.value)} ${unit}`}</title>
              </rect>
              {index % labelEvery === 0 && (
                <text x={index * slot + slot / 2} y={height + 14} textAnchor="middle" className="axis">
                  {bar.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      {bars.every((bar) => bar.value === 0) && <p className="muted">Nothing in this period yet.</p>}
    </figure>
  );
}

const BANDS = [
  { status: "low", from: 0, to: 0.8, label: "low" },
  { status: "optimal", from: 0.8, to: 1.3, label: "optimal" },
  { status: "high", from: 1.3, to: 1.5, label: "high" },
  { status: "very_high", from: 1.5, to: 2, label: "very high" },
];

/** The acute:chronic workload ratio on its bands (< 0.8 low, 0.8–1.3 optimal, to 1.5 high). */
export function AcwrBand({ acwr, status }: { acwr: number | null; status: string }) {
  const width = 320;
  const scale = (ratio: number) => (Math.min(ratio, 2) / 2) * width;
  const band = BANDS.find((each) => each.status === status)?.label ?? status;
  const said = acwr === null ? "No ratio yet: it needs four weeks of training." : `Ratio ${acwr.toFixed(2)}: ${band}.`;
  return (
    <figure className="chart">
      <figcaption>Acute:chronic workload ratio</figcaption>
      <svg viewBox={`0 0 ${width} 44`} role="img" aria-label={`Acute:chronic workload ratio. ${said}`}>
        {BANDS.map((each) => (
          <g key={each.status}>
            <rect x={scale(each.from)} y={0} width={scale(each.to) - scale(each.from)} height={18} className={`band band-${each.status}`} />
            <text x={(scale(each.from) + scale(each.to)) / 2} y={34} textAnchor="middle" className="axis">
              {each.label}
            </text>
          </g>
        ))}
        {acwr !== null && <rect x={scale(acwr) - 2} y={-2} width={4} height={22} className="marker" />}
      </svg>
      <p>{said}</p>
    </figure>
  );
}
