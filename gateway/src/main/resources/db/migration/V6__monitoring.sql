-- The monitoring fact tables: compact, pseudonymised, kept up to date on ingest, consent changes and handover events.
-- No identifier, name, address or exact date: records are keyed by keyed pseudonyms (monitoring domain, unlinkable to
-- the audit trail's), dates are months, values are what the indicators need.

-- Mothers whose facts must be recomputed (one row per mother however often asked), like handover_check.
create table monitoring_check (
    mother       text        primary key,
    requested_at timestamptz not null
);

-- One row per woman's pregnancy and month, whichever organisation recorded it (the last refreshed record's values):
-- counted once, by a plain count.
create table monitoring_pregnancy (
    unit_key            text    primary key,
    -- the organisation's record it comes from (a refresh replaces that record's rows)
    record_key          text    not null,
    person_key          text,
    municipality        text,
    vsv                 text    not null,
    -- the month the pregnancy is counted in: the birth month, or the expected month before birth
    month               date    not null,
    first_visit_ga_days integer,
    smoking             boolean,
    monitoring_permitted boolean not null
);
create index monitoring_pregnancy_month_idx on monitoring_pregnancy (month, municipality);
create index monitoring_pregnancy_record_idx on monitoring_pregnancy (record_key);

-- One row per birth (live or stillborn), whichever organisation recorded it (the last refreshed record's values): one
-- birth recorded by two organisations has one birth key and is counted once, by a plain count.
create table monitoring_birth (
    birth_key             text    primary key,
    record_key            text    not null,
    municipality          text,
    vsv                   text    not null,
    month                 date    not null,
    ga_days               integer,
    weight_g              integer,
    percentile            integer,
    live                  boolean not null,
    -- days from birth to death for a live-born child that died; null = alive (as far as recorded)
    death_day             integer,
    breastfed             boolean,
    handover_permit       boolean not null,
    prenatal_handover_ga_days integer,
    acknowledged_days     integer,
    monitoring_permitted  boolean not null
);
create index monitoring_birth_month_idx on monitoring_birth (month, municipality);
create index monitoring_birth_record_idx on monitoring_birth (record_key);

-- One view per indicator, read by the generic evaluator: per counted unit (a birth, or a woman's pregnancy in a
-- month: one row each), the month and municipality it counts in, whether the person permits monitoring, whether it is in the
-- denominator and in the numerator, and (for medians) its value. Definitions: docs/indicators.md; the Measure
-- resources in mappings/measures/ name these views.
create view indicator_big2 as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       coalesce(ga_days >= 168, false) as denominator, coalesce(ga_days < 259, false) or coalesce(percentile < 10, false) as numerator,
       null::numeric as value
from monitoring_birth;

create view indicator_preterm as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       coalesce(ga_days >= 168, false) as denominator, coalesce(ga_days < 259, false) as numerator, null::numeric as value
from monitoring_birth;

create view indicator_sga as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       coalesce(ga_days >= 168 and percentile is not null, false) as denominator, coalesce(percentile < 10, false) as numerator,
       null::numeric as value
from monitoring_birth;

create view indicator_low_birth_weight as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       live and weight_g is not null as denominator, coalesce(weight_g < 2500, false) as numerator, null::numeric as value
from monitoring_birth;

create view indicator_perinatal_mortality_7 as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       coalesce(ga_days >= 154, false) as denominator, not live or coalesce(death_day <= 7, false) as numerator, null::numeric as value
from monitoring_birth;

create view indicator_perinatal_mortality_28 as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       coalesce(ga_days >= 154, false) as denominator, not live or coalesce(death_day <= 28, false) as numerator, null::numeric as value
from monitoring_birth;

create view indicator_breastfeeding as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       live and breastfed is not null as denominator, coalesce(breastfed, false) as numerator, null::numeric as value
from monitoring_birth;

create view indicator_care_before_week_10 as
select month, municipality, unit_key as unit, monitoring_permitted as permitted,
       first_visit_ga_days is not null as denominator, coalesce(first_visit_ga_days < 70, false) as numerator, null::numeric as value
from monitoring_pregnancy;

create view indicator_smoking as
select month, municipality, unit_key as unit, monitoring_permitted as permitted,
       smoking is not null as denominator, coalesce(smoking, false) as numerator, null::numeric as value
from monitoring_pregnancy;

create view indicator_handover_before_28_weeks as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       true as denominator, coalesce(prenatal_handover_ga_days < 196, false) as numerator, null::numeric as value
from monitoring_birth;

create view indicator_handover_permit as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       true as denominator, handover_permit as numerator, null::numeric as value
from monitoring_birth;

create view indicator_birth_to_acknowledgement as
select month, municipality, birth_key as unit, monitoring_permitted as permitted,
       acknowledged_days is not null as denominator, acknowledged_days is not null as numerator, acknowledged_days::numeric as value
from monitoring_birth;

-- Counts per indicator, month and municipality, kept in step with the facts (refreshed for the months and
-- municipalities a fact refresh touches): a report sums at most 12 x 342 rows per indicator instead of scanning a year
-- of facts. Medians are not additive and are computed from the facts.
create table monitoring_cell (
    indicator    text    not null,
    month        date    not null,
    municipality text    not null,
    denominator  integer not null,
    numerator    integer not null,
    excluded     integer not null,
    primary key (indicator, month, municipality)
);

create function monitoring_refresh_cells(p_month date, p_municipality text) returns void language plpgsql as $$
declare
    v record;
begin
    delete from monitoring_cell where month = p_month and municipality = p_municipality;
    for v in select viewname from pg_views where schemaname = current_schema() and viewname like 'indicator\_%' loop
        execute format('insert into monitoring_cell (indicator, month, municipality, denominator, numerator, excluded)'
            || ' select %L, $1, $2, count(*) filter (where denominator and permitted),'
            || ' count(*) filter (where denominator and numerator and permitted), count(*) filter (where denominator and not permitted)'
            || ' from %I where month = $1 and municipality = $2 having count(*) > 0', v.viewname, v.viewname)
            using p_month, p_municipality;
    end loop;
end;
$$;

-- Rebuilds every cell (after a bulk load, or a change of the views).
create function monitoring_refresh_all_cells() returns void language plpgsql as $$
declare
    v record;
begin
    delete from monitoring_cell;
    for v in select viewname from pg_views where schemaname = current_schema() and viewname like 'indicator\_%' loop
        execute format('insert into monitoring_cell (indicator, month, municipality, denominator, numerator, excluded)'
            || ' select %L, month, municipality, count(*) filter (where denominator and permitted),'
            || ' count(*) filter (where denominator and numerator and permitted), count(*) filter (where denominator and not permitted)'
            || ' from %I where municipality is not null group by month, municipality', v.viewname, v.viewname);
    end loop;
end;
$$;
