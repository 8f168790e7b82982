-- A JGZ endpoint may need more (or less) time than the default push timeout (routing table, column timeout).
alter table jgz_route add column endpoint_timeout_ms bigint;
