export { startLocalCloud, defaultCredentials, sampleInstances } from './server';
export type { Fault, FaultKind, RequestLog } from './faults';
export type { InstanceSeed, LocalCloud, LocalCloudOptions } from './server';
export type { FcTask } from './fc';
export { verifyAcs3 } from './acs3';
export type { Credential } from './acs3';
