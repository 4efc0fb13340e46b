import { eventKey, exampleEvents } from './index';

test('given experiment and run events, when keyed, then the key is experiment_id resp. run_id', () => {
  const [experiment, run] = exampleEvents();
  expect(eventKey(experiment!)).toBe('exp-resnet.sweep:1');
  expect(eventKey(run!)).toBe('run-0001');
});
