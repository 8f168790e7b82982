-- Current version of every resource, as JSONB, plus what ingest needs to detect no-op resends.
create table resource (
    resource_type  text        not null,
    id             text        not null,
    version        bigint      not null,
    last_updated   timestamptz not null,
    profile        text,
    content        jsonb       not null,
    -- SHA-256 of the resolved content without meta: equal hash = nothing changed, no new version.
    content_hash   text        not null,
    -- SHA-256 of the entry as received (urn:uuid values normalised) and the profile-set fingerprint it
    -- was validated under: an identical resend need not be validated again.
    source_hash    text,
    validated_with text,
    primary key (resource_type, id)
);
create index resource_last_updated_idx on resource (resource_type, last_updated);
create index resource_source_hash_idx on resource (source_hash) where source_hash is not null;

-- Every version ever stored (vread, _history). Written in the same transaction as resource.
create table resource_history (
    resource_type text        not null,
    id            text        not null,
    version       bigint      not null,
    last_updated  timestamptz not null,
    method        text        not null,
    content       jsonb       not null,
    primary key (resource_type, id, version)
);

-- Business identifiers are unique per resource type: two clients sending the same record at the
-- same moment collide here, and the loser retries and finds the winner's resource.
create table resource_identifier (
    resource_type text not null,
    system        text not null,
    value         text not null,
    id            text not null,
    primary key (resource_type, system, value)
);
create index resource_identifier_id_idx on resource_identifier (resource_type, id);

-- Search index tables, rewritten with each new version.
create table search_token (
    resource_type text not null,
    id            text not null,
    param         text not null,
    system        text,
    code          text not null
);
create index search_token_lookup_idx on search_token (resource_type, param, code, system);
create index search_token_id_idx on search_token (resource_type, id);

create table search_reference (
    resource_type text not null,
    id            text not null,
    param         text not null,
    target_type   text not null,
    target_id     text not null
);
create index search_reference_lookup_idx on search_reference (resource_type, param, target_type, target_id);
create index search_reference_id_idx on search_reference (resource_type, id);

create table search_date (
    resource_type text        not null,
    id            text        not null,
    param         text        not null,
    low           timestamptz not null,
    high          timestamptz not null
);
create index search_date_lookup_idx on search_date (resource_type, param, low, high);
create index search_date_id_idx on search_date (resource_type, id);
