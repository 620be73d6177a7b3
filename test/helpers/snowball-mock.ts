import { SnowballClient } from '@aws-sdk/client-snowball';
import { mockClient } from 'aws-sdk-client-mock';

/** The part of aws-sdk-client-mock's stub the tests use, typed loosely. */
export interface SnowballStub {
  on(
    command: unknown,
    input?: object,
  ): {
    resolves(output: object): unknown;
    rejects(error: unknown): unknown;
    resolvesOnce(output: object): { resolves(output: object): unknown };
  };
  reset(): void;
  calls(): unknown[];
  commandCalls(command: unknown): unknown[];
}

/**
 * client-snowball exists only as 3.523.0, on an older Smithy core than aws-sdk-client-mock's
 * types expect; the runtime stub works the same, so only the types are loosened here.
 */
export function mockSnowball(): SnowballStub {
  return mockClient(SnowballClient as never) as unknown as SnowballStub;
}
