-- What each load replaced: the (agency, year) slices it wrote, with row counts before and after.
create table if not exists load_slices (
    load_id integer not null references loads (load_id),
    kind varchar not null check (kind in ('agencies', 'funds', 'applications')),
    org_nr varchar not null,
    year integer,  -- null for agencies
    rows_before bigint not null,
    rows_after bigint not null
);
