/** The parts of FC 3.0's handler context that we read (reference: fc3.md §1). Everything is optional: be defensive. */
export interface FcContext {
  requestId?: string;
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  function?: { name?: string; timeout?: number; memory?: number };
  region?: string;
}
