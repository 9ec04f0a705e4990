// Field schemas every part of the plan shares. Each error says what the value must be.
import { isAwsRegion } from './regions.ts';
import * as z from './zod.ts';
import { nonEmptyString } from './zod.ts';

/** A string matching `pattern`; `error` says what it must be and is shown as is. */
export const matching = (pattern: RegExp, error: string) => z.string().check(z.regex(pattern, { error }));

/** A string of at most `max` characters (every text is bounded: the plan travels in the run's state). */
export const text = (max: number, base = z.string()) => base.check(z.maxLength(max));

const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const region = matching(REGION_CODE, 'must be an AWS Region code such as "us-east-1"').check(
  // A value that is not even shaped like a Region code already has its one problem (above).
  z.refine((value) => !REGION_CODE.test(value) || isAwsRegion(value), {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an AWS Region: use a Region code such as "us-east-1" (known Regions: plan/regions.ts)`,
  }),
);

const slugRule = (max: number) =>
  matching(
    new RegExp(`^[a-z][a-z0-9-]{0,${max - 1}}$`),
    `must start with a lowercase letter and use only a-z, 0-9 and "-" (at most ${max} characters)`,
  ).check(
    z.refine((s) => !s.endsWith('-') && !s.includes('--'), {
      error: 'must not end with "-" or contain "--"',
    }),
  );

/** A name used in AWS resource names: lowercase letters, digits and hyphens. */
export const slug = slugRule(40);

/** A resource id: a short slug, part of state names ("web.Start") and drill resource names. */
export const resourceId = slugRule(24);

export const rdsInstanceId = matching(
  /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/,
  'must be an RDS DB identifier: a letter, then letters, digits or "-" (at most 63)',
);

/** At most `max` items in a list; the error counts them and says what to do instead (`fix`). */
export const atMostItems = (max: number, what: string, fix: string) =>
  z.refine<readonly unknown[]>((items) => items.length <= max, {
    error: (issue) => `has ${(issue.input as readonly unknown[]).length} ${what}, more than ${max}: ${fix}`,
  });

/** A whole number from `min` to `max`. */
export const intBetween = (min: number, max: number) =>
  z.number().check(z.int(), z.minimum(min), z.maximum(max));

/** Fully qualified DNS name; a trailing dot is accepted and removed. */
export const dnsName = z.pipe(
  z.pipe(
    text(253),
    z.transform((s: string) => s.toLowerCase().replace(/\.$/, '')),
  ),
  matching(
    /^(\*\.)?([a-z0-9_]([a-z0-9-_]{0,61}[a-z0-9_])?\.)+[a-z]{2,63}$/,
    'must be a fully qualified DNS name such as "app.example.com"',
  ),
);

/** A bounded non-empty name (AWS names are at most 255 characters). */
export const name255 = text(255, nonEmptyString);

/** Timeout of one resource's start/check loop. */
export const timeoutMinutes = z.optional(intBetween(1, 24 * 60));

export const email = z.email({ error: 'must be an email address' }).check(z.maxLength(254));

/** A KMS key ARN (a key id or a multi-Region "mrk-" id; not an alias). */
export const kmsKeyArn = matching(
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$/,
  'must be a KMS key ARN such as "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"',
);

/** A Lambda function ARN, optionally with a version or alias. */
export const lambdaFunctionArn = matching(
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/,
  'must be a Lambda function ARN such as "arn:aws:lambda:us-west-2:123456789012:function:flush-cache"',
);

/** An ARC routing control ARN (Route 53 Application Recovery Controller; the service has no Region in its ARNs). */
export const routingControlArn = matching(
  /^arn:aws[a-z-]*:route53-recovery-control::\d{12}:controlpanel\/[0-9a-f]{32}\/routingcontrol\/[0-9a-f]{16}$/,
  'must be an ARC routing control ARN such as "arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef/routingcontrol/0123456789abcdef"',
);

/** An IAM role ARN (with its path, if any). */
export const iamRoleArn = matching(
  /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
  'must be an IAM role ARN such as "arn:aws:iam::123456789012:role/shop-web-instance"',
);
