// Time-series chart → SVG → PNG (rendered by resvg, @resvg/resvg-js). Panels share the x axis (seconds);
// each has its own y axis, legend and optional shaded window (e.g. the burst).
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
const W = 1100;
const PANEL_H = 250;
const M = { left: 90, right: 230, top: 34, bottom: 34 };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 1, 2, 5 × 10^k step giving about `n` ticks over [0, max]. */
function niceStep(max, n = 5) {
  if (!(max > 0)) return 1;
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

function short(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(2)}`;
}

/**
 * panels: [{ title, yLabel, series: [{ name, points: [[x, y], …], dashed? }], shade?: [x0, x1, label], markers?: [[x, label]] }]
 * Returns the SVG text.
 */
export function chartSvg({ title, subtitle = '', xLabel = 'seconds since the benchmark started', panels }) {
  const H = 50 + panels.length * (PANEL_H + M.top + M.bottom);
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map((q) => q[0])));
  const xMax = Math.max(1, ...xs);
  const xStep = niceStep(xMax, 10);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="22" font-size="17" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
    `<text x="${W / 2}" y="40" font-size="11" text-anchor="middle" fill="#444">${esc(subtitle)}</text>`,
  ];
  panels.forEach((panel, i) => {
    const top = 50 + i * (PANEL_H + M.top + M.bottom) + M.top;
    const left = M.left;
    const pw = W - M.left - M.right;
    const ys = panel.series.flatMap((s) => s.points.map((q) => q[1])).filter(Number.isFinite);
    const yStep = niceStep(Math.max(1, ...ys), 5);
    const yMax = Math.max(yStep, Math.ceil(Math.max(1, ...ys) / yStep) * yStep);
    const X = (x) => left + (x / xMax) * pw;
    const Y = (y) => top + PANEL_H - (Math.max(0, y) / yMax) * PANEL_H;
    out.push(`<text x="${left}" y="${top - 10}" font-size="14" font-weight="bold">${esc(panel.title)}</text>`);
    if (panel.shade) {
      const [a, b, label] = panel.shade;
      out.push(`<rect x="${X(a)}" y="${top}" width="${Math.max(1, X(b) - X(a))}" height="${PANEL_H}" fill="#ffd54f" opacity="0.25"/>`);
      if (label) out.push(`<text x="${(X(a) + X(b)) / 2}" y="${top + 14}" font-size="11" text-anchor="middle" fill="#8a6d00">${esc(label)}</text>`);
    }
    (panel.markers ?? []).forEach(([x, label], k) => {
      out.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${top}" y2="${top + PANEL_H}" stroke="#555" stroke-dasharray="2 3"/>`);
      out.push(`<text x="${X(x) + 4}" y="${top + PANEL_H - 6 - 14 * k}" font-size="11" fill="#555">${esc(label)}</text>`);
    });
    for (let y = 0; y <= yMax + 1e-9; y += yStep) {
      out.push(`<line x1="${left}" x2="${left + pw}" y1="${Y(y)}" y2="${Y(y)}" stroke="#e5e5e5"/>`);
      out.push(`<text x="${left - 6}" y="${Y(y) + 4}" font-size="11" text-anchor="end">${short(y)}</text>`);
    }
    for (let x = 0; x <= xMax + 1e-9; x += xStep) {
      out.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${top + PANEL_H}" y2="${top + PANEL_H + 4}" stroke="#333"/>`);
      out.push(`<text x="${X(x)}" y="${top + PANEL_H + 17}" font-size="11" text-anchor="middle">${short(x)}</text>`);
    }
    out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${PANEL_H}" fill="none" stroke="#333"/>`);
    out.push(
      `<text transform="translate(${left - 62} ${top + PANEL_H / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(panel.yLabel)}</text>`,
    );
    out.push(`<text x="${left + pw / 2}" y="${top + PANEL_H + 31}" font-size="11" text-anchor="middle" fill="#444">${esc(xLabel)}</text>`);
    panel.series.forEach((s, k) => {
      const color = s.color ?? COLORS[k % COLORS.length];
      const pts = s.points.filter((q) => Number.isFinite(q[1]));
      if (pts.length > 0) {
        const d = pts.map((q, j) => `${j === 0 ? 'M' : 'L'}${X(q[0]).toFixed(1)},${Y(q[1]).toFixed(1)}`).join(' ');
        out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      }
      const ly = top + 10 + k * 20;
      out.push(`<line x1="${left + pw + 12}" x2="${left + pw + 36}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      out.push(`<text x="${left + pw + 42}" y="${ly + 4}" font-size="11">${esc(s.name)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Renders the SVG to a PNG file with resvg and the system fonts (DejaVu Sans where present). */
export function writePng(svg, file) {
  const { Resvg } = require('@resvg/resvg-js');
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'original' } }).render().asPng();
  fs.writeFileSync(file, png);
}
