// Small inline SVG charts drawn here (no library): bars for series over periods, a horizontal bar list for shares. Each has a text table for screen readers.
import { html } from "hono/html";
import type { Html } from "./forms";

export interface Series {
  name: string;
  values: number[];
}

const COLORS = ["#1f5fbf", "#b3471d", "#2f7d32", "#6b3fa0", "#8a6d00"];

function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (abs >= 10_000) return `${Math.round(n / 1000)}k`;
  return String(n);
}

/** Grouped bars: one group per label, one bar per series. */
export function barChart(title: string, labels: string[], series: Series[]): Html {
  const width = 640;
  const height = 220;
  const left = 48;
  const bottom = 28;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => Math.abs(v))));
  const groupWidth = (width - left) / Math.max(1, labels.length);
  const barWidth = Math.max(2, (groupWidth - 8) / Math.max(1, series.length));
  const plot = height - bottom - 10;
  const bars = labels.flatMap((_, i) =>
    series.map((s, j) => {
      const v = Math.max(0, s.values[i] ?? 0);
      const h = Math.round((v / max) * plot);
      const x = left + i * groupWidth + 4 + j * barWidth;
      return html`<rect x="${x.toFixed(1)}" y="${height - bottom - h}" width="${(barWidth - 1).toFixed(1)}" height="${h}" fill="${COLORS[j % COLORS.length]}"><title>${s.name} ${labels[i]}: ${s.values[i] ?? 0}</title></rect>`;
    }),
  );
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}" preserveAspectRatio="xMidYMid meet">
      <line x1="${left}" y1="${height - bottom}" x2="${width}" y2="${height - bottom}" stroke="#555"/>
      <text x="${left - 6}" y="16" text-anchor="end" font-size="12" fill="#333">${compact(max)}</text>
      <text x="${left - 6}" y="${height - bottom}" text-anchor="end" font-size="12" fill="#333">0</text>
      ${bars}
      ${labels.map((label, i) => html`<text x="${(left + i * groupWidth + groupWidth / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle" font-size="12" fill="#333">${label}</text>`)}
    </svg>
    <ul class="legend">${series.map((s, j) => html`<li><span class="swatch" style="background:${COLORS[j % COLORS.length]}"></span>${s.name}</li>`)}</ul>
    ${dataTable(labels, series)}
  </figure>`;
}

/** Shares of a whole, as horizontal bars (tier distribution, members vs non-members). */
export function shareChart(title: string, parts: { label: string; value: number }[]): Html {
  const total = Math.max(1, parts.reduce((sum, p) => sum + Math.max(0, p.value), 0));
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox="0 0 640 ${parts.length * 28 + 4}" role="img" aria-label="${title}">
      ${parts.map((p, i) => {
        const w = Math.round((Math.max(0, p.value) / total) * 440);
        return html`<text x="0" y="${i * 28 + 18}" font-size="13" fill="#222">${p.label}</text><rect x="150" y="${i * 28 + 4}" width="${w}" height="20" fill="${COLORS[i % COLORS.length]}"/><text x="${156 + w}" y="${i * 28 + 18}" font-size="13" fill="#222">${p.value}</text>`;
      })}
    </svg>
    ${dataTable(["value"], parts.map((p) => ({ name: p.label, values: [p.value] })))}
  </figure>`;
}

function dataTable(labels: string[], series: Series[]): Html {
  return html`<details><summary>Figures</summary><div class="scroll"><table><thead><tr><th scope="col">Series</th>${labels.map((l) => html`<th scope="col">${l}</th>`)}</tr></thead><tbody>${series.map((s) => html`<tr><th scope="row">${s.name}</th>${labels.map((_, i) => html`<td>${s.values[i] ?? 0}</td>`)}</tr>`)}</tbody></table></div></details>`;
}
