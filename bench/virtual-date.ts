// Makes `new Date()` and `Date.now()` read virtual time, for code that takes no clock argument (the
// handlers, the Step Functions interpreter's execution start). Only Date is faked: timers stay
// real, so promise chains and the virtual clock's event-loop turns run as usual.
import { install } from '@sinonjs/fake-timers';

export interface VirtualDate {
  /** Moves Date to `ms` since the epoch. */
  set(ms: number): void;
  /** Gives the real Date back. */
  uninstall(): void;
}

export function installVirtualDate(startMs: number): VirtualDate {
  const clock = install({ now: startMs, toFake: ['Date'] });
  return {
    set: (ms) => clock.setSystemTime(ms),
    uninstall: () => clock.uninstall(),
  };
}
