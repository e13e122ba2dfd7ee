-- The follow-up log in PostgreSQL: append-only entries, keyed by the writer's uuid.
-- One session creates at a time: concurrent "if not exists" statements collide in the catalogue.
select pg_advisory_xact_lock(20200020);

create table if not exists followup_entries (
    seq bigint generated always as identity,  -- order of arrival, to order entries written in the same microsecond
    entry_id uuid primary key,
    org_nr text not null check (org_nr ~ '^[0-9]{6}-[0-9]{4}$'),
    status text not null check (status in ('Ej kontaktad', 'Kontaktad', 'Möte bokat', 'Plan finns', 'Avslutad')),
    next_follow_up date,
    note text not null,
    plan text not null,
    written_by text not null,
    written_at timestamptz not null
);

create index if not exists followup_entries_by_agency on followup_entries (org_nr, written_at);

create or replace function followup_entries_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'followup_entries is append-only: % is refused', tg_op;
end
$$;

create or replace trigger followup_entries_append_only
before update or delete or truncate on followup_entries
for each statement execute function followup_entries_append_only();
