// Registers aws-sdk-client-mock's matchers (toHaveReceivedCommandWith, …) on jest's expect.
import 'aws-sdk-client-mock-jest';
