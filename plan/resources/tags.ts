// Tag maps as AWS accepts them: keys 1-128 characters not starting with "aws:", values up to 256.
import * as z from '../zod.ts';

export const tagMap = (maxTags: number) =>
  z
    .record(
      z.string().check(
        z.minLength(1),
        z.maxLength(128),
        z.refine((key) => !key.toLowerCase().startsWith('aws:'), {
          error: 'tag keys starting with "aws:" are reserved for AWS: choose another key',
        }),
      ),
      z.string().check(z.maxLength(256)),
    )
    .check(
      z.refine((tags) => Object.keys(tags).length <= maxTags, {
        error: `at most ${maxTags} tags`,
      }),
    );
