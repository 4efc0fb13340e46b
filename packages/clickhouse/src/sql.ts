// The escaping helpers live in @trackstream/clickhouse-sql, a package with no dependencies, so readers that must
// not pull in the projection runtime (and its Kafka client), such as the query API, use the same helpers.
export * from '@trackstream/clickhouse-sql';
