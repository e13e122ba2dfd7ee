-- The follow-up log in SQLite: append-only entries, keyed by the writer's uuid.
-- Dates are ISO text ('2027-03-31'); written_at is UTC with microseconds, one fixed width, so text order is time order.
create table if not exists followup_entries (
    seq integer primary key,  -- order of arrival, to order entries written in the same microsecond
    entry_id text not null unique,
    org_nr text not null check (org_nr glob '[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]'),
    status text not null check (status in ('Ej kontaktad', 'Kontaktad', 'Möte bokat', 'Plan finns', 'Avslutad')),
    next_follow_up text check (next_follow_up is null or date(next_follow_up) = next_follow_up),
    note text not null,
    plan text not null,
    written_by text not null,
    written_at text not null
) strict;

create index if not exists followup_entries_by_agency on followup_entries (org_nr, written_at);

create trigger if not exists followup_entries_no_update before update on followup_entries
begin
    select raise(abort, 'followup_entries is append-only: an update is refused');
end;

create trigger if not exists followup_entries_no_delete before delete on followup_entries
begin
    select raise(abort, 'followup_entries is append-only: a delete is refused');
end;

-- The files agencies submit (Skicka in uppgifter), kept byte for byte with their SHA-256 until
-- Trygghetsstiftelsen loads or returns them, and after: a load never removes one.
create table if not exists submissions (
    seq integer primary key,
    submission_id text not null unique,
    org_nr text not null check (org_nr glob '[0-9][0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9]'),
    file_name text not null,
    sha256 text not null check (length(sha256) = 64),
    content blob not null,
    kinds text not null,
    first_year integer,
    last_year integer,
    row_count integer not null,
    submitted_by text not null,
    submitted_at text not null
) strict;

-- What became of a submission: loaded or returned with a message; one outcome each.
create table if not exists submission_outcomes (
    seq integer primary key,
    submission_id text not null unique references submissions (submission_id),
    outcome text not null check (outcome in ('Inläst', 'Återsänd')),
    message text not null,
    decided_by text not null,
    decided_at text not null
) strict;

create trigger if not exists submissions_no_update before update on submissions
begin
    select raise(abort, 'submissions is append-only: an update is refused');
end;

create trigger if not exists submissions_no_delete before delete on submissions
begin
    select raise(abort, 'submissions is append-only: a delete is refused');
end;

create trigger if not exists submission_outcomes_no_update before update on submission_outcomes
begin
    select raise(abort, 'submission_outcomes is append-only: an update is refused');
end;

create trigger if not exists submission_outcomes_no_delete before delete on submission_outcomes
begin
    select raise(abort, 'submission_outcomes is append-only: a delete is refused');
end;
