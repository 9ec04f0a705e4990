// The run report as one self-contained HTML page: the same content as the Markdown report, laid out
// to be looked at (outcome badge, RTO/RPO cards, the timeline picture). Inline CSS and SVG only: no
// script and no external reference, so it opens offline, from an S3 download or an email attachment.
import type { Change } from '../shared/step-contract.ts';
import { lockLines, revertedTitle, revertLines } from './render-markdown.ts';
import { escapeXml as esc, formatDuration, renderTimelineSvg } from './render-svg-timeline.ts';
import type { Objective, ResourceRow, RunReport } from './report-types.ts';
import type { TimelineRow } from './run-timeline.ts';

export interface HtmlReportOptions {
  /** The rows to draw. @default report.timeline */
  timeline?: TimelineRow[];
  /** Extra lines for the Notes section (e.g. what a local simulation observed). @default [] */
  notes?: string[];
}

const TONE: Record<RunReport['outcome'], string> = {
  succeeded: 'good',
  ready: 'good',
  failed: 'bad',
  'not-ready': 'warn',
  refused: 'warn',
  aborted: 'bad',
  preempted: 'warn',
};

/** "2026-11-25T12:00:00.000Z" → "2026-11-25 12:00:00 UTC", in a <time> element. */
function time(iso: string): string {
  const readable = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(iso)
    ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`
    : iso;
  return `<time datetime="${esc(iso)}">${esc(readable)}</time>`;
}

const seconds = (s: number | null) => (s === null ? '—' : `${Math.round(s)} s`);

function verdict(met: boolean | null): string {
  if (met === null) return '<span class="verdict none">not measured</span>';
  return met ? '<span class="verdict good">✓ met</span>' : '<span class="verdict bad">✗ missed</span>';
}

function card(name: string, meaning: string, objective: Objective, extra = ''): string {
  const { objectiveSeconds, achievedSeconds, met } = objective;
  const scale = Math.max(objectiveSeconds, achievedSeconds ?? 0) || 1;
  const meter =
    achievedSeconds === null
      ? ''
      : `<div class="meter" aria-hidden="true"><span class="fill ${met ? 'good' : 'bad'}" style="width:${((achievedSeconds / scale) * 100).toFixed(1)}%"></span><span class="target" style="left:${((objectiveSeconds / scale) * 100).toFixed(1)}%"></span></div>`;
  return [
    `<article class="card ${met === null ? 'none' : met ? 'good' : 'bad'}" data-objective="${name.toLowerCase()}">`,
    `<h2>${name} <small>${meaning}</small></h2>`,
    `<p class="big">${seconds(achievedSeconds)}${achievedSeconds !== null && achievedSeconds >= 60 ? ` <small>${formatDuration(achievedSeconds)}</small>` : ''}</p>`,
    meter,
    `<p>target ${seconds(objectiveSeconds)} <small>(${formatDuration(objectiveSeconds)})</small> · ${verdict(met)}</p>`,
    extra,
    '</article>',
  ].join('');
}

const fact = (term: string, value: string) => `<div><dt>${term}</dt><dd>${value}</dd></div>`;

function resourceTable(resources: ResourceRow[]): string {
  if (resources.length === 0) return '';
  const rows = resources.map((r) => {
    const measured = Object.entries(r.measurements ?? {})
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const took = r.seconds === undefined ? '–' : `${r.seconds.toFixed(1)} s`;
    return `<tr><td>${esc(r.id)}</td><td>${esc(r.type)}</td><td>${esc(r.outcome)}</td><td>${took}</td><td>${esc(measured || '–')}</td></tr>`;
  });
  return `<section><h2>Resources</h2><table><thead><tr><th>resource</th><th>type</th><th>outcome</th><th>took</th><th>measured</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function changeTable(title: string, changes: Change[]): string {
  if (changes.length === 0) return '';
  const rows = changes.map(
    (c) =>
      `<tr><td><code>${esc(c.resource)}</code></td><td>${esc(c.action)}</td><td>${esc(c.detail)}</td></tr>`,
  );
  return `<section><h2>${title}</h2><table><thead><tr><th>resource</th><th>action</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

const list = (title: string, items: string[], tone = '') =>
  items.length === 0
    ? ''
    : `<section${tone ? ` class="${tone}"` : ''}><h2>${title}</h2><ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul></section>`;

function timelineTable(rows: TimelineRow[]): string {
  const body = rows.map((row) => {
    const at = (ms: number) => `+${(ms / 1000).toFixed(2)} s`;
    return `<tr class="${esc(row.outcome)}"><td>${esc(row.step)}</td><td>${at(row.startMs)}</td><td>${at(row.endMs)}</td><td>${((row.endMs - row.startMs) / 1000).toFixed(2)} s</td><td>${esc(row.outcome)}</td></tr>`;
  });
  return `<details><summary>The timeline as a table</summary><table class="numbers"><thead><tr><th>step</th><th>start</th><th>end</th><th>took</th><th>outcome</th></tr></thead><tbody>${body.join('')}</tbody></table></details>`;
}

function failure(report: RunReport): string {
  if (!report.failedStep && !report.cause) return '';
  const heading = report.failedStep
    ? `✗ Failed at <code>${esc(report.failedStep)}</code>`
    : report.outcome === 'preempted'
      ? 'Preempted'
      : '✗ Aborted';
  return [
    '<section class="failure">',
    `<h2>${heading}</h2>`,
    `<p class="cause">${esc(report.cause ?? 'no cause was recorded')}</p>`,
    report.revertProblem
      ? `<p class="revert-problem"><strong>The drill could not be reverted either:</strong> ${esc(report.revertProblem)}. Check what it left behind.</p>`
      : '',
    '</section>',
  ].join('');
}

export function renderHtml(report: RunReport, options: HtmlReportOptions = {}): string {
  const timeline = options.timeline ?? report.timeline;
  const notes = options.notes ?? [];
  const title = `dr-runbook ${report.mode} of ${report.plan}: ${report.outcome.toUpperCase()}`;
  const incidentEarlier = Date.parse(report.incidentStartedAt) < Date.parse(report.startedAt);
  const detectedAfter = (Date.parse(report.startedAt) - Date.parse(report.incidentStartedAt)) / 1000;
  const predicted =
    report.predictedRtoSeconds === null
      ? ''
      : `<p class="predicted">predicted from readiness: ${seconds(report.predictedRtoSeconds)}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<p class="eyebrow">dr-runbook · run report</p>
<h1><span class="mode">${esc(report.mode)}</span> of <span class="plan">${esc(report.plan)}</span> <span class="badge ${TONE[report.outcome]}">${esc(report.outcome.toUpperCase())}</span></h1>
<dl class="facts">${[
    fact('Run', `<code>${esc(report.runId)}</code>`),
    fact('Trigger', esc(report.trigger)),
    fact('Started', time(report.startedAt)),
    incidentEarlier
      ? fact(
          'Incident started',
          `${time(report.incidentStartedAt)} <small>(${formatDuration(detectedAfter)} before the run)</small>`,
        )
      : '',
    report.cooldownUntil ? fact('No new run before', time(report.cooldownUntil)) : '',
  ].join('')}</dl>
</header>
<section class="cards">${card('RTO', 'recovery time', report.rto, predicted)}${card('RPO', 'data loss window', report.rpo)}</section>
${list('Lock', lockLines(report), report.lockProblem ? 'warn lock' : 'lock')}
${list('Revert', revertLines(report), 'revert')}
${failure(report)}
${list('Left behind', report.leftovers ?? [], 'warn leftovers')}
<section class="timeline-section">
<h2>Timeline</h2>
${renderTimelineSvg(timeline, report.rto.objectiveSeconds)}
${timeline.length > 0 ? timelineTable(timeline) : ''}
</section>
${resourceTable(report.resources ?? [])}
${changeTable('What changed', report.changes)}
${changeTable(revertedTitle(report), report.reverted)}
${list('Readiness problems', report.readinessProblems, 'warn')}
${list('Readiness warnings', report.readinessWarnings ?? [], 'warn')}
${list(
  'Fencing the old primary',
  (report.fencing ?? []).map((f) => `${f.resource}: ${f.outcome} (${f.detail})`),
  'fencing',
)}
${list('Plan advisories', report.advisories ?? [], 'warn advisories')}
${list(
  'Not delivered',
  (report.sinksFailed ?? []).map((f) => `${f.sink}: ${f.error}`),
  'warn sinks-failed',
)}
${list('Notes', notes)}
<footer>Reported ${time(report.reportedAt)} by dr-runbook. This page has no script and loads nothing.</footer>
</main>
</body>
</html>
`;
}

const CSS = `
:root{--good:#067647;--good-bg:#dcfae6;--bad:#b42318;--bad-bg:#fee4e2;--warn:#b54708;--warn-bg:#fef0c7;
--ink:#101828;--muted:#475467;--line:#eaecf0;--panel:#ffffff;--page:#f9fafb}
*{box-sizing:border-box}
body{margin:0;background:var(--page);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1080px;margin:0 auto;padding:28px 24px 40px}
header{margin-bottom:20px}
.eyebrow{margin:0;color:var(--muted);font-size:13px;letter-spacing:.06em;text-transform:uppercase}
h1{margin:4px 0 12px;font-size:28px;line-height:1.25}
h1 .mode{text-transform:capitalize}
h1 .plan{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f2f4f7;padding:0 6px;border-radius:6px}
h2{font-size:17px;margin:0 0 10px}
.badge{display:inline-block;vertical-align:middle;font-size:14px;font-weight:700;letter-spacing:.05em;padding:3px 12px;border-radius:999px}
.badge.good{background:var(--good-bg);color:var(--good)}.badge.bad{background:var(--bad-bg);color:var(--bad)}.badge.warn{background:var(--warn-bg);color:var(--warn)}
.facts{display:flex;flex-wrap:wrap;gap:8px 28px;margin:0}
.facts dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.facts dd{margin:0}
small{color:var(--muted);font-size:.8em;font-weight:400}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
section{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:18px 20px;margin:16px 0}
.cards{display:grid;grid-template-columns:1fr 1fr;gap:16px;background:none;border:0;padding:0}
.card{background:var(--panel);border:1px solid var(--line);border-top:5px solid #98a2b3;border-radius:12px;padding:16px 20px}
.card.good{border-top-color:var(--good)}.card.bad{border-top-color:var(--bad)}
.card p{margin:6px 0}
.card .big{font-size:34px;font-weight:700;margin:2px 0 8px}
.meter{position:relative;height:10px;background:#f2f4f7;border-radius:5px;margin:4px 0 10px}
.meter .fill{position:absolute;left:0;top:0;bottom:0;border-radius:5px}
.meter .fill.good{background:#17b26a}.meter .fill.bad{background:#f04438}
.meter .target{position:absolute;top:-4px;bottom:-4px;width:0;border-left:2px dashed #c4320a}
.verdict{font-weight:700}.verdict.good{color:var(--good)}.verdict.bad{color:var(--bad)}.verdict.none{color:var(--muted)}
.predicted{color:var(--muted);font-size:14px}
.failure{background:var(--bad-bg);border-color:#fda29b}
.failure h2{color:var(--bad)}
.failure .cause{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:14px;white-space:pre-wrap;word-break:break-word;margin:0}
.revert-problem{margin:10px 0 0}
section.warn{border-left:5px solid var(--warn)}
svg.timeline{display:block;width:100%;height:auto}
details{margin-top:10px}summary{cursor:pointer;color:var(--muted);font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table.numbers td:nth-child(n+2){font-variant-numeric:tabular-nums}
tr.failed td{color:var(--bad);font-weight:600}
ul{margin:0;padding-left:20px}
footer{color:var(--muted);font-size:13px;margin-top:20px}
@media (max-width:700px){.cards{grid-template-columns:1fr}}
`;
