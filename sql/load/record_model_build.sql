-- Record which SQL and which allocation rates built the measures, in a table of one row that is
-- rebuilt with them (so a database from before the measures simply lacks it).
create or replace table model_build as
select
    $sql_sha256::varchar as sql_sha256,
    allocation_rates_md5() as rates_md5,
    $built_at::timestamp as built_at
