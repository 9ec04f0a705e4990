// The project's zod: zod/mini, a third of classic zod's size in every Lambda bundle, with zod's
// English messages, which mini leaves out ("Invalid input" for everything otherwise). Importing
// schemas from here guarantees the messages are configured before anything parses.
import { en } from 'zod/locales';
import { config, int, minLength, nonnegative, number, positive, string } from 'zod/mini';

config(en());

export * from 'zod/mini';

/** The primitives the plan, the events and the step states all use. */
export const nonEmptyString = string().check(minLength(1));
export const positiveInt = number().check(int(), positive());
export const nonNegativeInt = number().check(int(), nonnegative());
