/** What the pipeline knows about the FC invocation it runs in. FC's own context shape stops at the handler. */
export interface Invocation {
  fcRequestId: string;
  functionName?: string;
  /** Epoch ms when the handler was entered. */
  startedAt: number;
  /** Epoch ms by which everything must be finished: FC's timeout minus the safety margin. */
  deadlineMs: number;
}
