-- Which version of the views and macros of sql/ the database holds (a digest of their text).
create table if not exists model_build (
    sql_sha256 varchar not null check (length(sql_sha256) = 64),
    built_at timestamp not null
);
