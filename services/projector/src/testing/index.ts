export { produceEvents, produceRaw, highWatermarks, waitForCatchUp, readAll } from './kafka';
export { startTestProjectors, type TestProjectors, type TestProjectorsOptions } from './projectors';
