export { seedProjections } from './seed';
export { readEvents } from './sse';
