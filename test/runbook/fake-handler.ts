// What every fake service module shares: a command handler is the SDK command class and a function
// from its input to its output (or an AWS-shaped error), over the module's own state.

/** An SDK command class, e.g. PromoteReadReplicaCommand. */
// biome-ignore lint/suspicious/noExplicitAny: commands of different clients have unrelated type parameters
export type CommandClass = new (input: any) => any;

/** `handle` takes the command's input type; `never` here lets each handler declare its own. */
export type Handler = readonly [CommandClass, (input: never) => unknown];

export const hoursAgo = (now: Date, hours: number) => new Date(now.getTime() - hours * 3_600_000);
