// Every resource type a plan may name, and the family whose Lambda runs it. A new type is a
// schema in its family's file here and an implementation in functions/<family>/types/.
import * as z from '../zod.ts';
import { COMPUTE_TYPES } from './compute.ts';
import { DATABASE_TYPES } from './database.ts';
import { FAMILY_OF_TYPE, type ResourceFamily } from './families.ts';
import { HOOK_TYPES } from './hook.ts';
import { TRAFFIC_TYPES } from './traffic.ts';

export { FAMILY_OF_TYPE, familyOf, RESOURCE_FAMILIES, type ResourceFamily } from './families.ts';

const BY_FAMILY = {
  database: DATABASE_TYPES,
  compute: COMPUTE_TYPES,
  traffic: TRAFFIC_TYPES,
  hook: HOOK_TYPES,
} as const;

export const RESOURCE_TYPES = Object.keys(FAMILY_OF_TYPE);

export const resourceSchema = z.discriminatedUnion(
  'type',
  [...DATABASE_TYPES, ...COMPUTE_TYPES, ...TRAFFIC_TYPES, ...HOOK_TYPES],
  { error: `must be one of ${RESOURCE_TYPES.map((t) => `"${t}"`).join(', ')}` },
);

export type Resource = z.output<typeof resourceSchema>;
export type ResourceType = Resource['type'];
export type ResourceOfType<T extends ResourceType> = Extract<Resource, { type: T }>;
/** The resources of one family, e.g. ResourceIn<'database'>. */
export type ResourceIn<F extends ResourceFamily> = z.output<(typeof BY_FAMILY)[F][number]>;

/** Every schema's type is in FAMILY_OF_TYPE under its own family, and nothing else is (compile time). */
type FamilyOfSchemas = {
  [F in ResourceFamily]: { [T in ResourceIn<F>['type']]: F };
}[ResourceFamily];
type Merge<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
const _everyTypeMapped: Merge<FamilyOfSchemas> = FAMILY_OF_TYPE;
const _noTypeWithoutSchema: Record<keyof typeof FAMILY_OF_TYPE, unknown> = {} as Record<
  Resource['type'],
  unknown
>;
void _everyTypeMapped;
void _noTypeWithoutSchema;
