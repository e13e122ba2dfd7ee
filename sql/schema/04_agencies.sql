-- The agencies of the register, one row per organisation number.
create table if not exists agencies (
    org_nr varchar primary key check (regexp_full_match(org_nr, '[0-9]{6}-[0-9]{4}')),
    name varchar not null check (trim(name) <> ''),
    sector varchar not null,
    load_id integer not null references loads (load_id)
);
