// A discrete-event virtual clock: work sleeps in virtual seconds, and time jumps to the earliest
// wake-up as soon as everything in flight is asleep. Concurrent work (the branches of a Parallel
// state) shares the one clock, so two branches sleeping 10 s each take 10 s, not 20 s.
import { setImmediate as nextTurn } from 'node:timers/promises';

interface Sleeper {
  readonly wakeAtMs: number;
  /** Order of the sleep calls: sleepers due at the same instant wake in that order. */
  readonly seq: number;
  readonly wake: () => void;
}

/** Event-loop turns with no new sleep before the clock counts everything in flight as asleep. */
const QUIET_TURNS = 2;
/** Turns to wait for work that is neither asleep nor finished before calling it stuck. */
const STUCK_TURNS = 10_000;

export class VirtualClock {
  private nowMs: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;
  /** Sleeps ever started: how the clock notices that something is still running. */
  private activity = 0;

  constructor(
    startMs: number,
    /** Called with the new time whenever the clock moves (e.g. to move a faked Date). */
    private readonly onAdvance: (nowMs: number) => void = () => undefined,
  ) {
    this.nowMs = startMs;
  }

  /** Virtual time, in ms since the epoch. */
  now(): number {
    return this.nowMs;
  }

  /** Resolves once `seconds` of virtual time have passed (0 or less: on the next advance). */
  sleep(seconds: number): Promise<void> {
    this.activity += 1;
    return new Promise((wake) => {
      this.seq += 1;
      this.sleepers.push({ wakeAtMs: this.nowMs + Math.max(0, seconds) * 1000, seq: this.seq, wake });
    });
  }

  /**
   * Runs `work` to its end in virtual time: whenever nothing in flight can make progress without
   * time passing, jumps to the earliest wake-up and wakes every sleeper due then.
   */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    done.catch(() => undefined); // observed below; this only keeps an early rejection from going unhandled
    let stuck = 0;
    while (!settled) {
      await this.quiet();
      if (settled) break;
      if (!this.advance()) {
        stuck += 1;
        if (stuck > STUCK_TURNS)
          throw new Error('virtual clock: the work neither finished nor sleeps (waiting on real time?)');
        await nextTurn();
      } else stuck = 0;
    }
    return done;
  }

  /** Wakes the earliest sleepers; false when nobody sleeps. */
  advance(): boolean {
    if (this.sleepers.length === 0) return false;
    const next = Math.min(...this.sleepers.map((s) => s.wakeAtMs));
    const due = this.sleepers.filter((s) => s.wakeAtMs === next).sort((a, b) => a.seq - b.seq);
    this.sleepers = this.sleepers.filter((s) => s.wakeAtMs !== next);
    if (next > this.nowMs) {
      this.nowMs = next;
      this.onAdvance(next);
    }
    for (const sleeper of due) sleeper.wake();
    return true;
  }

  /** Waits until a few event-loop turns pass with no new sleep: all pending promise chains have run. */
  private async quiet(): Promise<void> {
    let quietTurns = 0;
    while (quietTurns < QUIET_TURNS) {
      const before = this.activity;
      await nextTurn();
      quietTurns = this.activity === before ? quietTurns + 1 : 0;
    }
  }
}
