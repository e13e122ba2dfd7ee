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
