// The run's timeline as a picture: one bar per step on an axis in seconds since the incident started
// (the RTO clock), with the RTO objective as a dashed line. Inline SVG: no script, no external reference.
// A run far shorter than its objective gets a broken axis, so its bars stay readable and the objective
// line is still drawn where it belongs.
import type { TimelineRow } from './run-timeline.ts';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML or XML element or a quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** "4.2 s", "45 s", "12 min 30 s", "1 h 5 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const total = Math.round(seconds);
  if (total < 3600) return total % 60 ? `${Math.floor(total / 60)} min ${total % 60} s` : `${total / 60} min`;
  const minutes = Math.round(total / 60);
  return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
}

/** A linear stretch of the axis: seconds `from`..`to` drawn from x0 to x1. */
export interface AxisSegment {
  from: number;
  to: number;
  x0: number;
  x1: number;
  ticks: number[];
}

const WIDTH = 1000;
const PLOT_X0 = 230;
const PLOT_X1 = 975;
const TOP = 46;
const ROW = 30;
const BAR = 18;
const BOTTOM = 58;
/** Below this share of the objective, a run's bars would be slivers: the axis breaks. */
const BREAK_BELOW = 0.4;

const COLOURS: Record<TimelineRow['outcome'], string> = {
  succeeded: '#2e90fa',
  running: '#f79009',
  failed: '#d92d20',
};

/** The smallest of 1, 2, 5 × 10^n at least `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].find((m) => m * magnitude >= raw * (1 - 1e-9)) ?? 10;
  return step * magnitude;
}

const clean = (n: number) => Number(n.toPrecision(9));
const ticksOf = (from: number, to: number, step: number) => {
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step - 1e-9) * step; t <= to + step * 1e-9; t += step) ticks.push(clean(t));
  return ticks;
};

/** The axis for these rows and this objective: one segment, or two around a break. */
export function timelineAxis(rows: TimelineRow[], objectiveSeconds: number): AxisSegment[] {
  const runEnd = Math.max(0, ...rows.map((r) => r.endMs / 1000));
  const step1 = niceStep(runEnd / 5);
  const end1 = clean(Math.ceil((runEnd * 1.1) / step1) * step1);
  if (runEnd > 0 && end1 < objectiveSeconds * BREAK_BELOW) {
    const step2 = niceStep(objectiveSeconds / 8);
    const gapX0 = PLOT_X0 + (PLOT_X1 - PLOT_X0) * 0.7;
    const gapX1 = PLOT_X0 + (PLOT_X1 - PLOT_X0) * 0.79;
    const from2 = clean(objectiveSeconds - step2);
    const to2 = clean(objectiveSeconds + step2);
    return [
      { from: 0, to: end1, x0: PLOT_X0, x1: gapX0, ticks: ticksOf(0, end1, step1) },
      { from: from2, to: to2, x0: gapX1, x1: PLOT_X1, ticks: [from2, clean(objectiveSeconds), to2] },
    ];
  }
  const longest = Math.max(runEnd, objectiveSeconds, 1e-3);
  const step = niceStep(longest / 8);
  const end = clean(Math.ceil((longest * 1.04) / step) * step);
  return [{ from: 0, to: end, x0: PLOT_X0, x1: PLOT_X1, ticks: ticksOf(0, end, step) }];
}

/** Where `seconds` falls on the axis (past the last segment: its end). */
export function xOf(axis: AxisSegment[], seconds: number): number {
  const segment = axis.find((s) => seconds <= s.to) ?? axis[axis.length - 1];
  if (!segment) return PLOT_X0;
  const at = Math.min(Math.max(seconds, segment.from), segment.to);
  return segment.x0 + ((at - segment.from) / (segment.to - segment.from)) * (segment.x1 - segment.x0);
}

const n = (value: number) => String(Math.round(value * 100) / 100);
const label = (seconds: number) => `${clean(seconds)} s`;
const shorten = (text: string, max = 32) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function renderRow(row: TimelineRow, index: number, axis: AxisSegment[]): string {
  const y = TOP + index * ROW;
  const took = (row.endMs - row.startMs) / 1000;
  const x = xOf(axis, row.startMs / 1000);
  const width = Math.max(2, xOf(axis, row.endMs / 1000) - x);
  const failed = row.outcome === 'failed';
  const mark = failed ? '✗ ' : row.outcome === 'running' ? '… ' : '';
  const durationText = `${formatDuration(took)}${failed ? ' ✗ failed' : row.outcome === 'running' ? ' still running' : ''}`;
  // The duration goes after the bar, or inside it (or before it) when the axis has no room after it.
  const segmentEnd = axis.find((s) => row.endMs / 1000 <= s.to)?.x1 ?? PLOT_X1;
  const room = durationText.length * 6.8 + 8;
  const [textX, anchor, inside] =
    x + width + room <= segmentEnd
      ? [x + width + 6, 'start', false]
      : width >= room
        ? [x + width - 6, 'end', true]
        : [x - 6, 'end', false];
  const step = escapeXml(row.step);
  const textY = n(y + ROW / 2 + 4);
  return [
    `<g class="row${failed ? ' failed' : ''}" data-step="${step}" data-outcome="${escapeXml(row.outcome)}">`,
    `<title>${step}: ${escapeXml(row.outcome)}, +${(row.startMs / 1000).toFixed(2)} s to +${(row.endMs / 1000).toFixed(2)} s (${escapeXml(formatDuration(took))})</title>`,
    index % 2 ? '' : `<rect class="stripe" x="0" y="${y}" width="${WIDTH}" height="${ROW}" fill="#f2f4f7"/>`,
    `<text class="step-label" x="${PLOT_X0 - 12}" y="${textY}" text-anchor="end" font-size="13"${failed ? ' fill="#b42318" font-weight="600"' : ' fill="#344054"'}>${escapeXml(mark + shorten(row.step))}</text>`,
    `<rect class="bar" data-step="${step}" x="${n(x)}" y="${n(y + (ROW - BAR) / 2)}" width="${n(width)}" height="${BAR}" rx="3" fill="${COLOURS[row.outcome] ?? COLOURS.running}"/>`,
    `<text class="duration" x="${n(textX)}" y="${textY}" text-anchor="${anchor}" font-size="12"${inside ? ' fill="#ffffff"' : failed ? ' fill="#b42318" font-weight="600"' : ' fill="#475467"'}>${escapeXml(durationText)}</text>`,
    '</g>',
  ].join('');
}

function renderAxis(axis: AxisSegment[], yTop: number, yAxis: number): string {
  const parts: string[] = [];
  for (const [i, segment] of axis.entries()) {
    parts.push(`<g class="axis-segment" data-from="${segment.from}" data-to="${segment.to}">`);
    parts.push(
      `<line x1="${n(segment.x0)}" x2="${n(segment.x1)}" y1="${yAxis}" y2="${yAxis}" stroke="#667085" stroke-width="1"/>`,
    );
    for (const t of segment.ticks) {
      const x = n(xOf([segment], t));
      parts.push(
        `<line class="grid" x1="${x}" x2="${x}" y1="${yTop}" y2="${yAxis}" stroke="#eaecf0" stroke-width="1"/>`,
        `<line x1="${x}" x2="${x}" y1="${yAxis}" y2="${yAxis + 5}" stroke="#667085"/>`,
        `<text class="tick" x="${x}" y="${yAxis + 19}" text-anchor="middle" font-size="12" fill="#475467">${label(t)}</text>`,
      );
    }
    parts.push('</g>');
    const next = axis[i + 1];
    if (next) {
      // The break: two slashes on the axis between the segments.
      const mid = (segment.x1 + next.x0) / 2;
      for (const dx of [-4, 4]) {
        parts.push(
          `<line class="axis-break" x1="${n(mid + dx - 4)}" x2="${n(mid + dx + 4)}" y1="${yAxis + 7}" y2="${yAxis - 7}" stroke="#667085" stroke-width="1.5"/>`,
        );
      }
    }
  }
  parts.push(
    `<text class="axis-title" x="${n((PLOT_X0 + PLOT_X1) / 2)}" y="${yAxis + 42}" text-anchor="middle" font-size="12" fill="#667085">seconds since the incident started</text>`,
  );
  return parts.join('');
}

/** The timeline picture: an SVG document, also valid inline in HTML. */
export function renderTimelineSvg(rows: TimelineRow[], objectiveSeconds: number): string {
  const axis = timelineAxis(rows, objectiveSeconds);
  const yTop = TOP - 6;
  const yAxis = TOP + Math.max(rows.length, 1) * ROW + 6;
  const height = yAxis + BOTTOM;
  const objectiveX = n(xOf(axis, objectiveSeconds));
  const objectiveLabel = `RTO objective ${label(objectiveSeconds)} (${formatDuration(objectiveSeconds)})`;
  // The label sits left of the line, unless the line is too close to the left edge for it.
  const labelLeft = Number(objectiveX) < objectiveLabel.length * 6.8 + 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="timeline-title" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">`,
    `<title id="timeline-title">Run timeline: ${rows.length} step${rows.length === 1 ? '' : 's'} against the RTO objective of ${label(objectiveSeconds)}</title>`,
    renderAxis(axis, yTop, yAxis),
    rows.length === 0
      ? `<text class="empty" x="${PLOT_X0}" y="${TOP + ROW / 2 + 4}" font-size="13" fill="#667085">No step ran.</text>`
      : '',
    ...rows.map((row, i) => renderRow(row, i, axis)),
    `<line class="rto-objective" x1="${objectiveX}" x2="${objectiveX}" y1="${TOP - 22}" y2="${yAxis}" stroke="#c4320a" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<text class="rto-objective-label" x="${n(labelLeft ? Number(objectiveX) + 6 : Number(objectiveX) - 6)}" y="${TOP - 12}" text-anchor="${labelLeft ? 'start' : 'end'}" font-size="12" font-weight="600" fill="#c4320a">${objectiveLabel}</text>`,
    '</svg>',
  ].join('');
}
