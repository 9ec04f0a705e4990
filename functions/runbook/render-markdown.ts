// The run report as Markdown: readable in a terminal, a pull request or a chat message.
import type { RunReport } from './report-types.ts';
import type { TimelineRow } from './run-timeline.ts';

export type { TimelineRow };

const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? '✅ met' : '❌ missed');
const secs = (s: number | null) => (s === null ? '—' : `${Math.round(s)} s`);

export function renderMarkdown(
  report: RunReport,
  timeline: TimelineRow[] = [],
  notes: string[] = [],
): string {
  const lines = [
    `# dr-runbook ${report.mode} of \`${report.plan}\`: ${report.outcome.toUpperCase()}`,
    '',
    `Run \`${report.runId}\`, trigger ${report.trigger}, started ${report.startedAt}` +
      (report.incidentStartedAt !== report.startedAt ? ` (incident at ${report.incidentStartedAt})` : ''),
    '',
    '| objective | target | achieved | verdict |',
    '|---|---|---|---|',
    `| RTO | ${secs(report.rto.objectiveSeconds)} | ${secs(report.rto.achievedSeconds)} | ${verdict(report.rto.met)} |`,
    `| RPO | ${secs(report.rpo.objectiveSeconds)} | ${secs(report.rpo.achievedSeconds)} | ${verdict(report.rpo.met)} |`,
    ...(report.predictedRtoSeconds !== null
      ? ['', `Predicted RTO from readiness: ${secs(report.predictedRtoSeconds)}.`]
      : []),
  ];
  if (report.failedStep) lines.push('', `**Failed at ${report.failedStep}:** ${report.cause}`);
  if (timeline.length > 0) {
    lines.push('', '## Timeline', '', '| step | start | end | took | outcome |', '|---|---|---|---|---|');
    for (const row of timeline) {
      const took = (row.endMs - row.startMs) / 1000;
      lines.push(
        `| ${row.step} | +${(row.startMs / 1000).toFixed(2)} s | +${(row.endMs / 1000).toFixed(2)} s | ${took.toFixed(2)} s | ${row.outcome} |`,
      );
    }
  }
  if (report.changes.length > 0) {
    lines.push('', '## What changed', '');
    for (const change of report.changes)
      lines.push(`- **${change.resource}**: ${change.action} — ${change.detail}`);
  }
  if (report.readinessProblems.length > 0) {
    lines.push('', '## Readiness problems', '');
    for (const problem of report.readinessProblems) lines.push(`- ${problem}`);
  }
  if (report.storedAt?.length) lines.push('', `Stored: ${report.storedAt.join(', ')}`);
  if (notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const note of notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
