export * from './response';
export * from './fc-http-event';
export * from './signature-verifier';
export * from './body-parser';
export * from './validator';
export * from './error-mapper';
export * from './http-logger';
