/** What the pipeline knows about the FC invocation it runs in. FC's own context shape stops at the handler. */
export interface Invocation {
  fcRequestId: string;
  functionName?: string;
  /** Epoch ms when the handler was entered. */
  startedAt: number;
  /** Epoch ms by which everything must be finished: FC's timeout minus the safety margin. */
  deadlineMs: number;
  /**
   * Epoch ms when FC stops the invocation. Leases (the event's claim, the user's lease) last until then, not
   * just until the deadline: work that started before the deadline may still be recording its result, and no
   * other instance may take the event or the user while it does.
   */
  timeoutAtMs: number;
}
