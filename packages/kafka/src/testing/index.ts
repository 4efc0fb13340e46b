export { describeEventLogContract, type EventLogFixture } from './event-log-contract';
