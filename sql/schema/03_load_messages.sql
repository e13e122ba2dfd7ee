-- The errors and warnings of each load, as the loader reported them (never a personal value).
create table if not exists load_messages (
    load_id integer not null references loads (load_id),
    severity varchar not null check (severity in ('error', 'warning')),
    sheet varchar,
    row_number bigint,
    column_name varchar,
    rule varchar not null,
    message varchar not null
);
