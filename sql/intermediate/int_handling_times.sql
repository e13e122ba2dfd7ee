-- Median handling time of every decided application, per year, nationally and per sector: a
-- median of all applications cannot be built from the agencies' medians. Materialised at each
-- publish.
create or replace table int_handling_times as
with
applications as (
    select * from stg_applications
    where is_decided
),

agencies as (
    select * from stg_agencies
),

final as (
    select
        applications.year,
        agencies.sector,
        grouping(agencies.sector) = 1 as is_national,
        count(*) as decided,
        median(applications.handling_days) as median_handling_days
    from applications
    inner join agencies on agencies.org_nr = applications.org_nr
    group by grouping sets ((applications.year), (applications.year, agencies.sector))
)

select * from final
order by year, sector nulls first
