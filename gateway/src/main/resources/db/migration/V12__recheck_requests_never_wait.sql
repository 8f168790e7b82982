-- A recheck request must never wait. With one row per mother (primary key), a request for a mother whose row a
-- consumer had just taken waited for that consumer's transaction, and the consumer's own work (a handover asks for
-- the monitoring recheck of its mother) could wait for the requester: a deadlock under load. Requests are now
-- appended (no unique key, nothing to conflict with); a consumer takes rows, handles each mother once, and deletes
-- only the rows it took, so a request made meanwhile stays for the next poll.
alter table handover_check drop constraint handover_check_pkey;
alter table handover_check add column id bigint generated always as identity primary key;
create index handover_check_mother on handover_check (mother);

alter table monitoring_check drop constraint monitoring_check_pkey;
alter table monitoring_check add column id bigint generated always as identity primary key;
create index monitoring_check_mother on monitoring_check (mother);
