-- The embedded default's token issuer signs with one key for every instance on this database and across restarts
-- (LocalIssuerConfiguration). Unused when an external issuer is configured.
create table local_issuer_key (
    id  integer primary key check (id = 1),
    jwk text    not null
);
