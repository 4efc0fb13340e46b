export { produceEvents, produceRaw, highWatermarks, waitForCatchUp, readAll } from './kafka';
