// The run report as Markdown: readable in a terminal, a pull request or a chat message.
import type { RunReport } from './report-types.ts';
import type { TimelineRow } from './run-timeline.ts';

export type { TimelineRow };

const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? '✅ met' : '❌ missed');
const secs = (s: number | null) => (s === null ? '—' : `${Math.round(s)} s`);
/** A table cell: a "|" or a line break in the text would end it. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** What the run's lock says, one sentence each: refused, preempted, taken over, not released. */
export function lockLines(report: RunReport): string[] {
  const lines: string[] = [];
  if (report.refusal) {
    lines.push(
      report.refusal.heldBy
        ? `Refused: the lock is held by ${report.refusal.heldBy}; nothing was touched (${report.refusal.error}).`
        : `Refused: ${report.refusal.error}; nothing was touched.`,
    );
  }
  if (report.preemptedRun) {
    const { mode, runId, executionArn } = report.preemptedRun;
    lines.push(
      `Preempted ${mode} run ${runId}${executionArn ? ` (${executionArn})` : ''} to take the lock; its cleanup reverts what it left.`,
    );
    if (report.preemptedRun.stopFailed) {
      lines.push(`**That run could not be stopped** (${report.preemptedRun.stopFailed}): stop it by hand.`);
    }
  }
  if (report.tookOverDeadRun) {
    const { mode, runId, status } = report.tookOverDeadRun;
    lines.push(`Took over the lock of ${mode} run ${runId}, which had ended (${status}).`);
  }
  if (report.preemptedBy && !report.executionStatus) {
    lines.push(`Preempted by run ${report.preemptedBy}, which took the lock.`);
  }
  if (report.lockProblem) lines.push(`Lock problem: ${report.lockProblem}.`);
  return lines;
}

/** Revert runs: whose leftovers they undo and what the cleanup did before. */
export function revertLines(report: RunReport): string[] {
  const lines: string[] = [];
  const asked = report.revertTarget;
  const cleanup = report.cleanup;
  if (asked || cleanup) {
    // The cleanup follows a dead cleanup back to the drill it was reverting: that drill is the target.
    const id = cleanup?.target.runId ?? asked?.runId ?? asked?.executionArn ?? '(unknown)';
    const status = cleanup?.target.status ?? asked?.status;
    const arn =
      asked?.executionArn && (!cleanup || asked.runId === cleanup.target.runId)
        ? asked.executionArn
        : undefined;
    const details = [...(status ? [status] : []), ...(arn && arn !== id ? [arn] : [])];
    lines.push(
      `Reverting what ${cleanup ? `${cleanup.target.mode} ` : ''}run ${id} left behind${details.length ? ` (${details.join('; ')})` : ''}.`,
    );
    if (cleanup && asked?.runId && asked.runId !== cleanup.target.runId) {
      lines.push(
        `Asked for run ${asked.runId}, a revert that died: followed back to the drill it was reverting.`,
      );
    }
  }
  if (cleanup) {
    const scope = {
      full: 'everything the drill did',
      'drill-only': 'only what is drill-only (a failover needs the rest)',
      none: 'nothing',
    }[cleanup.scope];
    lines.push(
      `Cleanup: reverts ${scope}; the dead run's lock ${cleanup.lockReleased ? 'was' : 'was not'} released; its record ${cleanup.recordedAborted ? 'was' : 'was not'} written as aborted.`,
    );
    for (const kept of cleanup.kept ?? []) lines.push(`Not reverted: ${kept}.`);
  }
  return lines;
}

/** The heading of the list of what a revert undid. */
export const revertedTitle = (report: RunReport) =>
  report.mode === 'revert' ? 'What the revert undid' : 'What the drill reverted';

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
  for (const line of [...lockLines(report), ...revertLines(report)]) lines.push('', `**${line}**`);
  if (report.failedStep) lines.push('', `**Failed at ${report.failedStep}:** ${report.cause}`);
  else if (report.cause)
    lines.push('', `**${report.outcome === 'preempted' ? 'Preempted' : 'Aborted'}:** ${report.cause}`);
  if (report.revertProblem) {
    lines.push('', `**The drill could not be reverted either:** ${report.revertProblem}`);
  }
  if (report.leftovers?.length) {
    lines.push('', '## Left behind', '');
    for (const item of report.leftovers) lines.push(`- ${item}`);
  }
  if (report.cooldownUntil) lines.push('', `No new run before ${report.cooldownUntil} (cooldown).`);
  if (timeline.length > 0) {
    lines.push('', '## Timeline', '', '| step | start | end | took | outcome |', '|---|---|---|---|---|');
    for (const row of timeline) {
      const took = (row.endMs - row.startMs) / 1000;
      lines.push(
        `| ${row.step} | +${(row.startMs / 1000).toFixed(2)} s | +${(row.endMs / 1000).toFixed(2)} s | ${took.toFixed(2)} s | ${row.outcome} |`,
      );
    }
  }
  if (report.resources?.length) {
    lines.push(
      '',
      '## Resources',
      '',
      '| resource | type | outcome | took | measured |',
      '|---|---|---|---|---|',
    );
    for (const r of report.resources) {
      const measured = Object.entries(r.measurements ?? {})
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const took = r.seconds === undefined ? '–' : `${r.seconds.toFixed(1)} s`;
      lines.push(`| ${r.id} | ${r.type} | ${r.outcome} | ${took} | ${measured || '–'} |`);
    }
  }
  if (report.changes.length > 0) {
    lines.push('', '## What changed', '');
    for (const change of report.changes)
      lines.push(`- **${change.resource}**: ${change.action} — ${change.detail}`);
  }
  if (report.reverted.length > 0) {
    lines.push('', `## ${revertedTitle(report)}`, '');
    for (const change of report.reverted)
      lines.push(`- **${change.resource}**: ${change.action} — ${change.detail}`);
  }
  if (report.readinessProblems.length > 0) {
    lines.push('', '## Readiness problems', '');
    for (const problem of report.readinessProblems) lines.push(`- ${problem}`);
  }
  // Records written before warnings and sink failures were reported have neither.
  const warnings = report.readinessWarnings ?? [];
  if (warnings.length > 0) {
    lines.push('', '## Readiness warnings', '');
    for (const warning of warnings) lines.push(`- ${warning}`);
  }
  if (report.fencing?.length) {
    lines.push('', '## Fencing the old primary', '', '| resource | outcome | detail |', '|---|---|---|');
    for (const f of report.fencing)
      lines.push(`| ${cell(f.resource)} | ${cell(f.outcome)} | ${cell(f.detail)} |`);
  }
  if (report.advisories?.length) {
    lines.push('', '## Plan advisories', '');
    for (const advisory of report.advisories) lines.push(`- ${advisory}`);
  }
  const undelivered = report.sinksFailed ?? [];
  if (undelivered.length > 0) {
    lines.push('', '## Not delivered', '');
    for (const failure of undelivered) lines.push(`- ${failure.sink}: ${failure.error}`);
  }
  if (report.storedAt?.length) lines.push('', `Stored: ${report.storedAt.join(', ')}`);
  if (notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const note of notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
