// Tag maps as AWS accepts them: keys 1-128 characters not starting with "aws:", values up to 256.
import * as z from '../zod.ts';

export const tagMap = (maxTags: number) =>
  z.record(z.string(), z.string().check(z.maxLength(256))).check(
    z.superRefine((tags, ctx) => {
      const keys = Object.keys(tags);
      if (keys.length > maxTags) {
        ctx.addIssue({
          code: 'custom',
          message: `has ${keys.length} tags, more than ${maxTags}: remove some`,
        });
      }
      for (const key of keys) {
        if (key.length === 0 || key.length > 128) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'tag keys are 1-128 characters: shorten the key',
          });
        } else if (key.toLowerCase().startsWith('aws:')) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'tag keys starting with "aws:" are reserved for AWS: choose another key',
          });
        }
      }
    }),
  );
