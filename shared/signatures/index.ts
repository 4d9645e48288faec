export * from './result';
export * from './github';
export * from './slack';
export * from './dingtalk';
export * from './http-adapters';
export * from './status-request';
