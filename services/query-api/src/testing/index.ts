export { seedProjections } from './seed';
export { readEvents, type RawEvent } from './sse';
