import { Type } from '@sinclair/typebox';

/** Problem responses are documented once, in the platform. */
export { ProblemResponses, ProblemSchema } from '@iwf/platform/http/problem-schema';

/** A command that takes no input: no body, `{}` or `null`. Anything else is a 400, not silently ignored. */
export const NoBody = Type.Optional(
  Type.Unsafe<Record<string, never> | null>({ type: ['object', 'null'], properties: {}, additionalProperties: false, description: 'No input: send no body, {} or null.' }),
);
