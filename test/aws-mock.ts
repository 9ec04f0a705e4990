// aws-sdk-client-mock's mockClient, once per client class in a Jest file. The unit tests of a
// family run as one Jest file made of parts (docs/design.md, "How the suite stays fast"), and each
// part mocks the clients it uses when it loads; a second mockClient of the same class would restore
// the first part's stub and leave that part configuring a mock nothing calls. Here every part gets
// the same stub, and each part resets it before each of its tests, as it did as a file of its own.
import type { Client, MetadataBearer } from '@smithy/types';
import { type AwsStub, mockClient as mockEveryClient } from 'aws-sdk-client-mock';

const stubs = new Map<unknown, unknown>();

/** The stub of `send` on every instance of `client` (one per Jest file). */
export function mockClient<TInput extends object, TOutput extends MetadataBearer, TConfiguration>(client: {
  prototype: Client<TInput, TOutput, TConfiguration>;
}): AwsStub<TInput, TOutput, TConfiguration> {
  let stub = stubs.get(client) as AwsStub<TInput, TOutput, TConfiguration> | undefined;
  if (!stub) {
    stub = mockEveryClient(client);
    stubs.set(client, stub);
  }
  return stub;
}
