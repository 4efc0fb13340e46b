export { ScriptedTransport, retry } from './scripted-transport';
