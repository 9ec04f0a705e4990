import { describe, expect, it } from '@jest/globals';
import * as z from '../../../plan/zod.ts';

describe('zod', () => {
  describe("the project's zod (zod/mini)", () => {
    it("explains problems in English, as classic zod does (mini alone says only 'Invalid input')", () => {
      const result = z
        .strictObject({ startedAt: z.iso.datetime() })
        .safeParse({ startedAt: 'yesterday', x: 1 });
      expect(result.error?.issues.map((issue) => issue.message)).toEqual([
        'Invalid ISO datetime',
        'Unrecognized key: "x"',
      ]);
    });
  });
});
