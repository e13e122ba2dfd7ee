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

-- The files agencies submit (Skicka in uppgifter), kept byte for byte with their SHA-256 until
-- Trygghetsstiftelsen loads or returns them, and after: a load never removes one.
create table if not exists submissions (
    seq bigint generated always as identity,
    submission_id uuid primary key,
    org_nr text not null check (org_nr ~ '^[0-9]{6}-[0-9]{4}$'),
    file_name text not null,
    sha256 text not null check (length(sha256) = 64),
    content bytea not null,
    kinds text not null,
    first_year integer,
    last_year integer,
    row_count integer not null,
    submitted_by text not null,
    submitted_at timestamptz not null
);

-- What became of a submission: loaded or returned with a message; one outcome each.
create table if not exists submission_outcomes (
    seq bigint generated always as identity,
    submission_id uuid primary key references submissions (submission_id),
    outcome text not null check (outcome in ('Inläst', 'Återsänd')),
    message text not null,
    decided_by text not null,
    decided_at timestamptz not null
);

create or replace trigger submissions_append_only
before update or delete or truncate on submissions
for each statement execute function followup_entries_append_only();

create or replace trigger submission_outcomes_append_only
before update or delete or truncate on submission_outcomes
for each statement execute function followup_entries_append_only();
