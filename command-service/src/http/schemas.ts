/** Problem responses are documented once, in the platform. */
export { ProblemResponses, ProblemSchema } from '@iwf/platform/http/problem-schema';
