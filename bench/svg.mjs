// A horizontal bar chart of ratios, as plain SVG text (no dependency).
// rows: [{ label, higher, ours: {median,min,max}|null, sockjs: …, target? }]

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderSvg(rows, title) {
  const labelW = 330;
  const plotW = 430;
  const rowH = 34;
  const top = 58;
  const width = labelW + plotW + 90;
  const height = top + rows.length * rowH + 50;
  const maxRatio = 2; // axis 0–2; longer bars are clipped and labelled
  const x = (v) => labelW + (Math.min(v, maxRatio) / maxRatio) * plotW;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<rect x="10" y="32" width="12" height="10" fill="#2b6cb0"/><text x="27" y="41">ours ÷ limit</text>`,
    `<rect x="120" y="32" width="12" height="10" fill="#a0aec0"/><text x="137" y="41">sockjs 0.3.24 ÷ limit</text>`,
    `<line x1="270" y1="37" x2="284" y2="37" stroke="#e53e3e" stroke-width="3"/><text x="289" y="41">target</text>`,
    `<text x="345" y="41" fill="#555">limit = raw ws / bare node:http; (↓) lower is better</text>`,
  );
  for (let t = 0; t <= maxRatio; t += 0.25) {
    const gx = x(t).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + rows.length * rowH}" stroke="${t === 1 ? '#333' : '#e2e8f0'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    if (t % 0.5 === 0) out.push(`<text x="${gx}" y="${top + rows.length * rowH + 16}" text-anchor="middle" fill="#555">${t.toFixed(1)}</text>`);
  }
  rows.forEach((row, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${labelW - 8}" y="${y + 20}" text-anchor="end">${esc(row.label)}${row.higher ? '' : ' (↓)'}</text>`);
    const bar = (s, dy, color) => {
      if (!s) {
        out.push(`<text x="${labelW + 4}" y="${y + dy + 10}" fill="#c53030">not measured</text>`);
        return;
      }
      const w = Math.max(1, x(s.median) - labelW);
      out.push(`<rect x="${labelW}" y="${y + dy}" width="${w.toFixed(1)}" height="12" fill="${color}"/>`);
      if (s.n > 1) {
        const y0 = y + dy + 6;
        out.push(`<line x1="${x(s.min).toFixed(1)}" y1="${y0}" x2="${x(s.max).toFixed(1)}" y2="${y0}" stroke="#1a202c" stroke-width="1"/>`);
      }
      const clipped = s.median > maxRatio ? ' ▶' : '';
      out.push(`<text x="${(x(Math.max(s.median, s.max)) + 4).toFixed(1)}" y="${y + dy + 10}" font-size="11">${s.median.toFixed(2)}${clipped}</text>`);
    };
    bar(row.ours, 4, '#2b6cb0');
    bar(row.sockjs, 18, '#a0aec0');
    if (row.target !== undefined) {
      const tx = x(row.target).toFixed(1);
      out.push(`<line x1="${tx}" y1="${y + 1}" x2="${tx}" y2="${y + 33}" stroke="#e53e3e" stroke-width="3"/>`);
    }
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
