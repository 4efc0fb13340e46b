export { startMlflowTestStack, type MlflowTestStack } from './stack';
