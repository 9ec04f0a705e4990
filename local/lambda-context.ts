// The context a Lambda handler gets, as the local runs give it (its own module: test fixtures use
// it without loading the local runner's SDK clients).

/** A Lambda context for `functionName`, with a minute left. */
export const localLambdaContext = (functionName: string) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:123456789012:function:${functionName}`,
  memoryLimitInMB: '512',
  awsRequestId: crypto.randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});
