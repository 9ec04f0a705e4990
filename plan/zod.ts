// The project's zod: zod/mini, a third of classic zod's size in every Lambda bundle, with zod's
// English messages, which mini leaves out ("Invalid input" for everything otherwise). Importing
// schemas from here guarantees the messages are configured before anything parses.
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
