-- Every resource belongs to the partition of one organisation (system|value of its URA or AGB): the one that
-- submitted it and that its Provenance names. Submitters see and change only their own partition, so business
-- identifiers are unique per organisation and type, and two organisations' records of one person stay apart.
alter table resource add column owner text;

-- Backfill from the first Provenance that targets each resource.
with first_author as (
    select distinct on (t.ref) t.ref, a.org
    from resource p
    cross join lateral (select split_part(x ->> 'reference', '/_history', 1) as ref
                        from jsonb_array_elements(p.content -> 'target') x) t
    cross join lateral (select (y -> 'who' -> 'identifier' ->> 'system') || '|' || (y -> 'who' -> 'identifier' ->> 'value') as org
                        from jsonb_array_elements(p.content -> 'agent') y limit 1) a
    where p.resource_type = 'Provenance'
    order by t.ref, p.last_updated
)
update resource r set owner = f.org from first_author f where f.ref = r.resource_type || '/' || r.id;

update resource p set owner = (select (y -> 'who' -> 'identifier' ->> 'system') || '|' || (y -> 'who' -> 'identifier' ->> 'value')
                               from jsonb_array_elements(p.content -> 'agent') y limit 1)
where p.resource_type = 'Provenance';

create index resource_owner_idx on resource (resource_type, owner, last_updated);

alter table resource_identifier add column owner text not null default '';
update resource_identifier i set owner = r.owner
from resource r where r.resource_type = i.resource_type and r.id = i.id and r.owner is not null;
alter table resource_identifier alter column owner drop default;
alter table resource_identifier drop constraint resource_identifier_pkey;
alter table resource_identifier add primary key (resource_type, owner, system, value);
