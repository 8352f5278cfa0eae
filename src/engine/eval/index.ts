export * from './dataset';
export * from './harness';
