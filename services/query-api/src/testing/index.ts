export { seedProjections } from './seed';
