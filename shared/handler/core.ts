/** Everything the FC entry loads on its first invocation. */
export { handleInvocation } from "./handle-invocation.ts";
export { instanceFacts } from "./instance-facts.ts";
export { createRuntime } from "./runtime.ts";
