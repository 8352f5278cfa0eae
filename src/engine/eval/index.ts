export * from './dataset';
export * from './harness';
export * from './compare';
