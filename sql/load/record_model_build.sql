-- Record which SQL and which allocation rates built the measures, and the objects the build
-- made (so that the next build can drop them, renamed ones included, and nothing else), in a
-- table of one row that is rebuilt with them.
create or replace table model_build as
select
    $sql_sha256::varchar as sql_sha256,
    allocation_rates_md5() as rates_md5,
    $objects::varchar[] as objects,
    $built_at::timestamp as built_at
