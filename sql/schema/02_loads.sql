-- Every attempt to load a file: loaded, unchanged or rejected.
create sequence if not exists load_ids start 1;

create table if not exists loads (
    load_id integer primary key default nextval('load_ids'),
    file_name varchar not null,
    content_sha256 varchar not null check (length(content_sha256) = 64),
    size_bytes bigint not null check (size_bytes >= 0),
    kinds varchar,  -- comma-separated kinds held by the file (a workbook may hold several)
    status varchar not null check (status in ('loaded', 'unchanged', 'rejected')),
    agencies integer,
    first_year integer,
    last_year integer,
    rows_in_file bigint not null default 0,
    rows_inserted bigint not null default 0,
    rows_replaced bigint not null default 0,
    errors integer not null default 0,
    warnings integer not null default 0,
    started_at timestamp not null,
    finished_at timestamp not null
);
