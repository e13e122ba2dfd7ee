-- A fingerprint of the allocation rates, stored with each build of the measures: the projections
-- are built on the rates, so a change of rates makes the measures outdated like a change of SQL.
create or replace macro allocation_rates_md5() as (
    select md5(coalesce(string_agg(concat_ws(':', first_year, last_year, rate), ';' order by first_year), ''))
    from allocation_rates
)
