import { describe, expect, it } from '@jest/globals';
import { renderHtml } from '../../../functions/runbook/render-html.ts';
import { buildReport } from '../../../functions/runbook/report.ts';
import type { RunReport } from '../../../functions/runbook/report-types.ts';
import type { TimelineRow } from '../../../functions/runbook/run-timeline.ts';
import { examplePlan, runRecord } from '../../fixtures.ts';

describe('render-html', () => {
  const plan = examplePlan(); // RTO 30 min, RPO 300 s
  const RTO_SECONDS = plan.objectives.rtoMinutes * 60;
  const NOW = new Date('2026-11-25T12:30:00.000Z');

  const run = runRecord;

  /** A report of the example plan, with the given timeline. */
  function report(timeline: TimelineRow[], overrides: Partial<RunReport> = {}): RunReport {
    return { ...buildReport(plan, run(), {}, NOW), timeline, ...overrides };
  }

  const row = (
    step: string,
    startS: number,
    endS: number,
    outcome: TimelineRow['outcome'] = 'succeeded',
  ) => ({
    step,
    startMs: startS * 1000,
    endMs: endS * 1000,
    outcome,
  });

  /** A recovery in minutes: longer than the objective would make it a missed RTO. */
  const minutes = (scale: number): TimelineRow[] => [
    row('Readiness', 0, 14 * scale),
    row('Database', 14 * scale, 600 * scale),
    row('Compute', 14 * scale, 300 * scale),
    row('Traffic', 600 * scale, 720 * scale),
    row('Verify', 720 * scale, 750 * scale),
  ];
  /** A local simulation: seconds, against a 30-minute objective. */
  const seconds: TimelineRow[] = [
    row('Readiness', 0, 0.4),
    row('Database', 0.4, 2.1),
    row('Compute', 0.4, 1.5),
    row('Traffic', 2.1, 3.3),
    row('Verify', 3.3, 3.9),
  ];

  /** Two resource rows: one measured (with a value to escape), one that failed before it was timed. */
  const RESOURCES: RunReport['resources'] = [
    {
      id: 'db',
      type: 'rds-read-replica',
      family: 'database',
      outcome: 'succeeded',
      seconds: 300,
      measurements: { rpoSeconds: 4, snapshot: 'drill-<x>' },
    },
    { id: 'web', type: 'auto-scaling-group', family: 'compute', outcome: 'failed' },
  ];

  // --- A small XML reader: rejects what is not well-formed, and gives the tree to assert on. ---

  interface XmlElement {
    name: string;
    attrs: Record<string, string>;
    children: XmlElement[];
    text: string;
  }

  function parseXml(xml: string): XmlElement {
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    let i = 0;
    const fail = (why: string): never => {
      throw new Error(`not well-formed XML (${why}) at ${i}: ${xml.slice(i, i + 60)}`);
    };
    const decode = (raw: string) => {
      for (const m of raw.matchAll(/&/g)) {
        if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/i.test(raw.slice(m.index))) fail('bare &');
      }
      return raw
        .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&');
    };
    while (i < xml.length) {
      const rest = xml.slice(i);
      const close = /^<\/([\w:-]+)\s*>/.exec(rest);
      if (close) {
        const open = stack.pop();
        if (open?.name !== close[1]) fail(`</${close[1]}> closes <${open?.name}>`);
        if (stack.length === 0) root = open;
        i += close[0].length;
        continue;
      }
      if (rest.startsWith('<')) {
        const tag = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/.exec(rest) ?? fail('bad tag');
        const [whole, name = '', attrText = '', selfClosing] = tag;
        const element: XmlElement = { name, attrs: {}, children: [], text: '' };
        for (const [, key = '', value = ''] of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
          if (key in element.attrs) fail(`duplicate attribute ${key}`);
          element.attrs[key] = decode(value);
        }
        if (root || (stack.length === 0 && i > 0 && xml.slice(0, i).trim())) fail('a second root');
        stack.at(-1)?.children.push(element);
        if (selfClosing) {
          if (stack.length === 0) root = element;
        } else stack.push(element);
        i += whole.length;
        continue;
      }
      const end = xml.indexOf('<', i) === -1 ? xml.length : xml.indexOf('<', i);
      const text = xml.slice(i, end);
      const parent = stack.at(-1);
      if (parent) parent.text += decode(text);
      else if (text.trim()) fail('text outside the root');
      i = end;
    }
    if (stack.length > 0) fail(`<${stack.at(-1)?.name}> is not closed`);
    return root ?? fail('no root element');
  }

  const all = (element: XmlElement, match: (e: XmlElement) => boolean): XmlElement[] => [
    ...(match(element) ? [element] : []),
    ...element.children.flatMap((child) => all(child, match)),
  ];
  const hasClass = (name: string) => (e: XmlElement) => (e.attrs.class ?? '').split(' ').includes(name);
  const textOf = (e: XmlElement): string => e.text + e.children.map(textOf).join('');
  const num = (e: XmlElement | undefined, attr: string) => Number(e?.attrs[attr]);

  function svgOf(html: string): XmlElement {
    const start = html.indexOf('<svg');
    const end = html.indexOf('</svg>');
    expect(start).toBeGreaterThan(-1);
    return parseXml(html.slice(start, end + '</svg>'.length));
  }

  /**
   * Seconds → x as a reader of the picture would do it: from the tick labels. Each axis segment is
   * linear between its first and last tick; a value falls in the segment whose ticks bracket it.
   */
  function axisOf(svg: XmlElement) {
    const segments = all(svg, hasClass('axis-segment')).map((segment) =>
      all(segment, hasClass('tick')).map((tick) => ({
        seconds: Number(/^([\d.]+) s$/.exec(textOf(tick))?.[1]),
        x: num(tick, 'x'),
      })),
    );
    const lastTick = Math.max(...segments.flat().map((t) => t.seconds));
    return {
      lastTick,
      x(seconds: number): number {
        for (const ticks of segments) {
          const first = ticks[0];
          const last = ticks.at(-1);
          if (first && last && seconds >= first.seconds && seconds <= last.seconds) {
            return (
              first.x + ((seconds - first.seconds) / (last.seconds - first.seconds)) * (last.x - first.x)
            );
          }
        }
        throw new Error(`${seconds} s is not on the axis`);
      },
    };
  }

  const bars = (svg: XmlElement) => all(svg, (e) => e.name === 'rect' && e.attrs.class === 'bar');

  describe('parseXml (the test helper)', () => {
    it('rejects mismatched tags, a bare & and a stray <', () => {
      expect(() => parseXml('<svg><g><rect/></svg>')).toThrow('closes');
      expect(() => parseXml('<svg><text>a & b</text></svg>')).toThrow('bare &');
      expect(() => parseXml('<svg><text>a < b</text></svg>')).toThrow('bad tag');
      expect(() => parseXml('<svg><g></g>')).toThrow('not closed');
      expect(parseXml('<svg><text x="1">a &amp; b</text></svg>').children[0]?.text).toBe('a & b');
    });
  });

  describe('renderHtml', () => {
    it('draws one bar per timeline row, in order, with its step name', () => {
      const timeline = minutes(1);
      const svg = svgOf(renderHtml(report(timeline)));
      expect(bars(svg).map((b) => b.attrs['data-step'])).toEqual(timeline.map((r) => r.step));
      expect(renderHtml(report(timeline)).match(/<rect class="bar"/g)).toHaveLength(timeline.length);
      const labels = all(svg, hasClass('step-label')).map(textOf);
      expect(labels).toEqual(['Readiness', 'Database', 'Compute', 'Traffic', 'Verify']);
      expect(all(svg, hasClass('duration')).map(textOf)).toEqual([
        '14 s',
        '9 min 46 s',
        '4 min 46 s',
        '2 min',
        '30 s',
      ]);
    });

    it.each([
      ['within the objective', minutes(1)],
      ['over the objective', minutes(3)],
      ['far shorter than the objective (broken axis)', seconds],
    ])('places and sizes bars in proportion to the axis, %s', (_, timeline) => {
      const svg = svgOf(renderHtml(report(timeline)));
      const axis = axisOf(svg);
      const drawn = bars(svg);
      for (const [i, r] of timeline.entries()) {
        const bar = drawn[i];
        expect(num(bar, 'x')).toBeCloseTo(axis.x(r.startMs / 1000), 1);
        expect(num(bar, 'width')).toBeCloseTo(axis.x(r.endMs / 1000) - axis.x(r.startMs / 1000), 1);
      }
      // Same scale for every bar: width per second is one number.
      const perSecond = drawn.map((b, i) => {
        const r = timeline[i] as TimelineRow;
        return num(b, 'width') / ((r.endMs - r.startMs) / 1000);
      });
      for (const rate of perSecond) expect(rate / (perSecond[0] as number)).toBeCloseTo(1, 2);
    });

    it.each([
      ['within the objective', minutes(1)],
      ['over the objective', minutes(3)],
      ['far shorter than the objective (broken axis)', seconds],
      ['with no step', []],
    ])('draws the RTO objective at rtoMinutes × 60 on the axis, %s', (_, timeline) => {
      const svg = svgOf(renderHtml(report(timeline)));
      const axis = axisOf(svg);
      const [line] = all(svg, hasClass('rto-objective'));
      expect(axis.lastTick).toBeGreaterThanOrEqual(RTO_SECONDS);
      expect(line?.attrs['stroke-dasharray']).toBeDefined();
      expect(num(line, 'x1')).toBe(num(line, 'x2'));
      expect(num(line, 'x1')).toBeCloseTo(axis.x(RTO_SECONDS), 1);
      expect(textOf(all(svg, hasClass('rto-objective-label'))[0] as XmlElement)).toContain(
        `RTO objective ${RTO_SECONDS} s`,
      );
    });

    it('keeps a short run readable: its bars span most of the axis, not a sliver before the objective', () => {
      const svg = svgOf(renderHtml(report(seconds)));
      const drawn = bars(svg);
      const left = num(drawn[0], 'x');
      const right = Math.max(...drawn.map((b) => num(b, 'x') + num(b, 'width')));
      const line = num(all(svg, hasClass('rto-objective'))[0], 'x1');
      expect(right - left).toBeGreaterThan((line - left) * 0.5);
      expect(all(svg, hasClass('axis-break'))).not.toHaveLength(0);
    });

    it('marks failed steps red, with a ✗ and class="failed"', () => {
      const timeline = [row('Readiness', 0, 14), row('Recover', 14, 200, 'failed')];
      const svg = svgOf(renderHtml(report(timeline)));
      const rows = all(svg, hasClass('row'));
      expect(rows.map((r) => hasClass('failed')(r))).toEqual([false, true]);
      const [ok, failed] = rows;
      expect(textOf(failed as XmlElement)).toContain('✗');
      expect(textOf(ok as XmlElement)).not.toContain('✗');
      expect(bars(failed as XmlElement)[0]?.attrs.fill).toBe('#d92d20');
      expect(bars(ok as XmlElement)[0]?.attrs.fill).not.toBe('#d92d20');
    });

    it('escapes every string the report carries', () => {
      const evil = `<script>alert("x")</script> & 'q'`;
      const html = renderHtml(
        report([row(`<img src=x onerror="alert(1)">`, 0, 10, 'failed')], {
          plan: `<b>shop</b>`,
          failedStep: `"><script>`,
          cause: evil,
          revertProblem: evil,
          readinessProblems: [evil],
          changes: [{ resource: '<r>', action: '&', detail: evil }],
          reverted: [{ resource: '<r>', action: '&', detail: evil }],
          readinessWarnings: [evil],
          advisories: [evil],
          leftovers: [evil],
          lockProblem: evil,
          refusal: { error: evil, heldBy: evil },
          preemptedRun: { runId: evil, mode: evil, executionArn: evil },
          tookOverDeadRun: { runId: evil, mode: evil, status: evil },
          revertTarget: { runId: evil, executionArn: evil, status: evil },
          cleanup: {
            target: { runId: evil, mode: evil, status: evil },
            lockReleased: true,
            recordedAborted: false,
            scope: 'drill-only',
            kept: [evil],
          },
          sinksFailed: [{ sink: 's3', error: evil }],
        }),
        { notes: [evil] },
      );
      expect(html).not.toMatch(/<script|<img|<b>|<r>/);
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;');
      expect(svgOf(html).children.length).toBeGreaterThan(0); // still well-formed
    });

    it('loads nothing: no script, no URL, no src, only the SVG namespace', () => {
      const html = renderHtml(report(minutes(1)), { notes: ['a note'] });
      const withoutNamespace = html.replace(' xmlns="http://www.w3.org/2000/svg"', '');
      expect(withoutNamespace).not.toMatch(/https?:\/\/|src=|<script|<link|<img|url\(|@import/i);
      expect(html.match(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g)).toHaveLength(1);
    });

    it('draws a timeline that is well-formed XML, on a page that is HTML5', () => {
      const html = renderHtml(report(minutes(1)));
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<meta charset="utf-8">');
      expect(svgOf(html).name).toBe('svg');
    });

    it('draws the report’s own timeline unless given one, and lists the notes', () => {
      const own = renderHtml(report([row('Own step', 0, 5)]));
      expect(bars(svgOf(own)).map((b) => b.attrs['data-step'])).toEqual(['Own step']);
      const given = renderHtml(report([row('Own step', 0, 5)]), {
        timeline: [row('Given step', 0, 5)],
        notes: ['nothing left behind'],
      });
      expect(bars(svgOf(given)).map((b) => b.attrs['data-step'])).toEqual(['Given step']);
      expect(given).toContain('<li>nothing left behind</li>');
    });

    it('shows RTO and RPO against their targets with met or missed', () => {
      const html = renderHtml(
        report(minutes(1), {
          rto: { objectiveSeconds: 1800, achievedSeconds: 2700, met: false },
          rpo: { objectiveSeconds: 300, achievedSeconds: 4, met: true },
          predictedRtoSeconds: 540,
        }),
      );
      const rto = /<article class="card bad" data-objective="rto">.*?<\/article>/s.exec(html)?.[0];
      const rpo = /<article class="card good" data-objective="rpo">.*?<\/article>/s.exec(html)?.[0];
      expect(rto).toMatch(/2700 s.*target 1800 s.*✗ missed.*predicted from readiness: 540 s/s);
      expect(rpo).toMatch(/4 s.*target 300 s.*✓ met/s);
    });

    it('reports a failed alarm-triggered run: incident before the run, the failed step and why', () => {
      const alarmRun = run({
        startedAt: '2026-11-25T12:00:00.000Z',
        incidentStartedAt: '2026-11-25T11:58:00.000Z',
        trigger: { type: 'alarm', alarmName: 'shop-5xx', stateChangeTime: '2026-11-25T11:58:00.000Z' },
      });
      const failed = buildReport(
        plan,
        alarmRun,
        {
          readiness: [
            {
              family: 'database',
              resource: 'db',
              type: 'rds-read-replica',
              predictedSeconds: 300,
              checks: [{ name: 'replica-available', status: 'pass', detail: 'ok' }],
              evaluatedAt: '2026-11-25T12:00:20.000Z',
            },
          ],
          failure: {
            step: 'Recover',
            Error: 'ReplicaNotFoundError',
            Cause: JSON.stringify({
              errorType: 'ReplicaNotFoundError',
              errorMessage: 'shop-db-replica not found',
            }),
          },
        },
        new Date('2026-11-25T12:01:00.000Z'),
      );
      const html = renderHtml(failed);

      expect(html).toContain('<span class="badge bad">FAILED</span>');
      expect(html).toMatch(/<dt>Trigger<\/dt><dd>alarm<\/dd>/);
      expect(html).toMatch(/<dt>Incident started<\/dt><dd><time datetime="2026-11-25T11:58:00.000Z">/);
      expect(html).toContain('Failed at <code>Recover</code>');
      expect(html).toContain('ReplicaNotFoundError: shop-db-replica not found');
      expect(/data-objective="rto">.*?<\/article>/s.exec(html)?.[0]).toContain('not measured');

      const svg = svgOf(html);
      expect(bars(svg).map((b) => b.attrs['data-step'])).toEqual([
        'Detection (alarm → runbook)',
        'Readiness',
        'Recover',
      ]);
      const axis = axisOf(svg);
      expect(num(bars(svg)[0], 'x')).toBeCloseTo(axis.x(0), 1); // the RTO clock starts at the alarm
      expect(all(svg, hasClass('failed')).map((g) => g.attrs['data-step'])).toEqual(['Recover']);
    });

    it('says when a drill could not be reverted, and what the revert undid', () => {
      const html = renderHtml(
        report([row('Traffic', 0, 5), row('Revert traffic', 5, 8)], {
          mode: 'drill',
          outcome: 'failed',
          failedStep: 'Verify',
          cause: 'VerificationFailedError: 503',
          revertProblem: 'States.Timeout',
          reverted: [
            { resource: 'drill.shop.example.com', action: 'delete', detail: 'drill record removed' },
          ],
        }),
      );
      expect(html).toContain('could not be reverted either:</strong> States.Timeout');
      expect(html).toMatch(/What the drill reverted.*drill\.shop\.example\.com.*drill record removed/s);
    });

    it.each([
      ['refused', 'warn'],
      ['aborted', 'bad'],
      ['preempted', 'warn'],
    ] as const)('badges a %s run as %s', (outcome, tone) => {
      expect(renderHtml(report([], { outcome }))).toContain(
        `<span class="badge ${tone}">${outcome.toUpperCase()}</span>`,
      );
    });

    it('says who holds the lock of a refused run, and that nothing was touched', () => {
      const html = renderHtml(
        report([], {
          outcome: 'refused',
          refusal: {
            error: 'AlreadyRunningError: another run holds the lock: run drill-7 (drill, since t)',
            heldBy: 'run drill-7 (drill, since t)',
          },
        }),
      );
      expect(html).toMatch(
        /<section class="lock"><h2>Lock<\/h2><ul><li>Refused: the lock is held by run drill-7 \(drill, since t\); nothing was touched/,
      );
    });

    it('names the run a failover preempted and a lock it could not release', () => {
      const html = renderHtml(
        report([], {
          preemptedRun: { runId: 'drill-7', mode: 'drill' },
          lockProblem: 'the lock could not be released (X)',
        }),
      );
      expect(html).toContain('<section class="warn lock">');
      expect(html).toContain(
        '<li>Preempted drill run drill-7 to take the lock; its cleanup reverts what it left.</li>',
      );
      expect(html).toContain('<li>Lock problem: the lock could not be released (X).</li>');
    });

    it('shows a revert run’s target, what it kept, what is left, and the sinks that failed', () => {
      const html = renderHtml(
        report([], {
          mode: 'revert',
          outcome: 'failed',
          revertTarget: { runId: 'drill-7', executionArn: 'arn:x:drill-7', status: 'ABORTED' },
          cleanup: {
            target: { runId: 'drill-7', mode: 'drill', status: 'ABORTED' },
            lockReleased: false,
            recordedAborted: true,
            scope: 'drill-only',
            kept: ['compute: kept as it is for failover fo-1'],
          },
          leftovers: ['database: drill-shop-x still deleting'],
          readinessWarnings: ['traffic/ttl: TTL 300 s'],
          advisories: ['triggers.alarms[0]: in the primary region'],
          sinksFailed: [{ sink: 'sns', error: 'AccessDeniedError: no' }],
        }),
      );
      expect(html).toContain(
        '<li>Reverting what drill run drill-7 left behind (ABORTED; arn:x:drill-7).</li>',
      );
      expect(html).toContain('reverts only what is drill-only (a failover needs the rest)');
      expect(html).toContain('the dead run&#39;s lock was not released');
      expect(html).toContain('<li>Not reverted: compute: kept as it is for failover fo-1.</li>');
      expect(html).toMatch(/<h2>Left behind<\/h2><ul><li>database: drill-shop-x still deleting<\/li>/);
      expect(html).toMatch(/<h2>Readiness warnings<\/h2><ul><li>traffic\/ttl: TTL 300 s<\/li>/);
      expect(html).toMatch(
        /<h2>Plan advisories<\/h2><ul><li>triggers.alarms\[0\]: in the primary region<\/li>/,
      );
      expect(html).toMatch(/<h2>Not delivered<\/h2><ul><li>sns: AccessDeniedError: no<\/li>/);
    });

    it('says why a run that died without its tail was recorded', () => {
      const html = renderHtml(
        report([], {
          outcome: 'aborted',
          cause: 'the execution timed out (TIMED_OUT) before it could report what it did',
        }),
      );
      expect(html).toContain('<h2>✗ Aborted</h2>');
      expect(html).toContain('the execution timed out (TIMED_OUT) before it could report what it did');
    });

    it('renders a record written before warnings, advisories and sink failures were reported', () => {
      const { readinessWarnings: _w, advisories: _a, sinksFailed: _s, ...old } = report(minutes(1));
      const html = renderHtml(old as RunReport);
      expect(html).not.toContain('Readiness warnings');
      expect(html).not.toContain('Not delivered');
      expect(html).not.toContain('Plan advisories');
    });

    it('lists every resource with its type, outcome, time and measurements in a Resources table', () => {
      const html = renderHtml(report(minutes(1), { resources: RESOURCES }));
      const section = /<section><h2>Resources<\/h2>.*?<\/section>/s.exec(html)?.[0] ?? '';
      expect(section).toContain(
        '<thead><tr><th>resource</th><th>type</th><th>outcome</th><th>took</th><th>measured</th></tr></thead>',
      );
      const rows = [...section.matchAll(/<tr><td>(.*?)<\/td><\/tr>/g)].map((m) => m[1]?.split('</td><td>'));
      expect(rows).toEqual([
        ['db', 'rds-read-replica', 'succeeded', '300.0 s', 'rpoSeconds 4, snapshot drill-&lt;x&gt;'],
        ['web', 'auto-scaling-group', 'failed', '–', '–'],
      ]);
    });

    it('shows no Resources table for a run that ran none, or a record written before v2', () => {
      expect(renderHtml(report(minutes(1), { resources: [] }))).not.toContain('<h2>Resources</h2>');
      const { resources: _r, ...old } = report(minutes(1), { resources: RESOURCES });
      expect(renderHtml(old as RunReport)).not.toContain('<h2>Resources</h2>');
    });
  });
});
