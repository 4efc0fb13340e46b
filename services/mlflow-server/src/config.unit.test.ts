import { ConfigError } from '@trackstream/config';
import { loadMlflowConfig } from './config';

describe('mlflow-server config', () => {
  it('given no variables, then port 5000, project default, auth on, a 10 s visibility bound', () => {
    const c = loadMlflowConfig({});
    expect([c.port, c.project, c.authMode, c.readYourWritesWaitMs, c.pgSchema]).toEqual([5000, 'default', 'on', 10_000, 'public']);
  });
  it('given the variables, then they are read', () => {
    const c = loadMlflowConfig({ TRACKSTREAM_MLFLOW_PORT: '5055', TRACKSTREAM_MLFLOW_PROJECT: 'vision', TRACKSTREAM_AUTH: 'off', TRACKSTREAM_EVENTS_TOPIC: 't1' });
    expect([c.port, c.project, c.authMode, c.eventsTopic]).toEqual([5055, 'vision', 'off', 't1']);
  });
  it('given a bad value, then a ConfigError naming the variable', () => {
    expect(() => loadMlflowConfig({ TRACKSTREAM_MLFLOW_PROJECT: 'bad project!' })).toThrow(ConfigError);
    expect(() => loadMlflowConfig({ TRACKSTREAM_MLFLOW_PORT: 'x' })).toThrow(/TRACKSTREAM_MLFLOW_PORT/);
  });
});
