// How messages list alternatives: "drill", "drill or failover", "drill, failover or switchover".

/** The items joined with commas and a final "or". */
export function orList(items: readonly string[]): string {
  if (items.length <= 2) return items.join(' or ');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
