/**
 * The monthly driving report as one self-contained HTML document (issue 10) — for an email body or an in-app web
 * view: no script, no external resource, styles in the document, the chart an inline SVG (daily distance) with a
 * title, a description and the figures also in text, so it reads the same to a screen reader.
 */
import type { DrivingReport } from "../domain/report/driving";

/** The CSP of the HTML report: nothing but its own inline styles. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
const num = (x: number, digits = 1) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (x: number | null) => (x === null ? "" : `${x > 0 ? "+" : x < 0 ? "−" : "±"}${num(Math.abs(x))}%`);

function monthName(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** Daily distance as bars; every 7th day labelled. */
export function dailyChartSvg(r: DrivingReport): string {
  const W = 600;
  const H = 180;
  const pad = { l: 36, r: 8, t: 10, b: 24 };
  const max = Math.max(10, Math.ceil(Math.max(...r.daily.map((d) => d.km)) / 10) * 10);
  const n = r.daily.length;
  const bw = (W - pad.l - pad.r) / n;
  const y = (km: number) => pad.t + (H - pad.t - pad.b) * (1 - km / max);
  const bars = r.daily
    .map((d, i) => {
      const top = y(d.km);
      return `<rect x="${(pad.l + i * bw + 1).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(H - pad.b - top).toFixed(1)}" fill="#0b5cad"/>`;
    })
    .join("");
  const ticks = [0, max / 2, max]
    .map(
      (v) =>
        `<text x="${pad.l - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#3d4752">${num(v, 0)}</text><line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#d0d7de"/>`,
    )
    .join("");
  const days = r.daily
    .map((d, i) =>
      i % 7 === 0
        ? `<text x="${(pad.l + (i + 0.5) * bw).toFixed(1)}" y="${H - 6}" text-anchor="middle" font-size="11" fill="#3d4752">${Number(d.day.slice(8))}</text>`
        : "",
    )
    .join("");
  const busiest = r.daily.reduce((a, b) => (b.km > a.km ? b : a), r.daily[0]!);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-labelledby="chart-title chart-desc">
<title id="chart-title">Distance per day, ${esc(monthName(r.month))}</title>
<desc id="chart-desc">${num(r.distance.km)} km over ${r.distance.trips} trips; the longest day was ${esc(busiest.day)} with ${num(busiest.km)} km.</desc>
${ticks}${bars}${days}
</svg>`;
}

/** The report as an HTML document. */
export function drivingReportHtml(r: DrivingReport): string {
  const car = [r.vehicle.year, r.vehicle.make, r.vehicle.model].filter(Boolean).join(" ") || r.vin;
  const rows: string[] = [];
  rows.push(
    `<tr><th scope="row">Distance</th><td>${num(r.distance.km)} km in ${r.distance.trips} trips (${Math.round(r.distance.drivingMinutes / 60)} h)</td><td>${r.distance.changePercent === null ? "—" : `${pct(r.distance.changePercent)} on last month (${num(r.distance.previousMonthKm)} km)`}</td></tr>`,
  );
  for (const e of r.economy)
    rows.push(
      `<tr><th scope="row">Economy</th><td>${num(e.value)} ${e.unit}</td><td>${e.previousMonth === null ? "—" : `${pct(e.changePercent)} on last month (${num(e.previousMonth)})`}${e.sameModel ? `; ${pct(e.sameModel.differencePercent)} against ${e.sameModel.vehicles} other ${esc(e.sameModel.model)} vehicles (${num(e.sameModel.value)})` : ""}</td></tr>`,
    );
  const care: string[] = [];
  if (r.service)
    care.push(
      `<li>Next service: ${esc(r.service.kind.replace(/_/g, " "))}${r.service.due ? `, due ${esc(r.service.due)}` : ""}${r.service.mileage ? ` or at ${r.service.mileage.toLocaleString("en-US")} km` : ""}</li>`,
    );
  care.push(
    r.recalls.length
      ? `<li><strong>Open recall${r.recalls.length > 1 ? "s" : ""}: ${r.recalls.map(esc).join(", ")}</strong> — the repair is free at your dealer.</li>`
      : "<li>No open recalls.</li>",
  );
  if (r.software?.available)
    care.push(
      `<li>Software update ${esc(r.software.available)} is ready${r.software.critical ? " (important)" : ""}; installed: ${esc(r.software.installed ?? "unknown")}.</li>`,
    );
  else if (r.software?.installed) care.push(`<li>Software ${esc(r.software.installed)} is up to date.</li>`);
  const drivers = r.drivers?.length
    ? `<h2>Who drove</h2><table><thead><tr><th scope="col">Driver</th><th scope="col">Distance</th><th scope="col">Trips</th><th scope="col">Economy</th></tr></thead><tbody>${r.drivers
        .map(
          (d) =>
            `<tr><th scope="row">${esc(d.label)}</th><td>${num(d.km)} km (${num(d.shareOfDistancePercent)}%)</td><td>${d.trips}</td><td>${d.economy.map((e) => `${num(e.value)} ${e.unit}`).join(", ") || "—"}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your ${esc(car)} in ${esc(monthName(r.month))}</title>
<style>
body{margin:0;padding:24px;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#fff}
main{max-width:640px;margin:0 auto}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.15rem;margin:24px 0 8px}
.sub{color:#3d4752;margin:0 0 16px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:8px;border-bottom:1px solid #d0d7de;vertical-align:top}
ul{padding-left:20px}
.note{color:#3d4752;font-size:.9rem}
</style>
</head>
<body>
<main>
<h1>Your ${esc(car)} in ${esc(monthName(r.month))}</h1>
<p class="sub">Monthly driving report${r.odometer !== null ? ` · odometer ${r.odometer.toLocaleString("en-US")} km` : ""}</p>
${dailyChartSvg(r)}
<table><tbody>${rows.join("")}</tbody></table>
<h2>Looking after your car</h2>
<ul>${care.join("")}</ul>
${drivers}
${r.notes.map((n) => `<p class="note">${esc(n)}</p>`).join("\n")}
</main>
</body>
</html>
`;
}
