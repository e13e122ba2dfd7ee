-- Applications and granted amounts per agency, year received and measure type. Materialised at
-- each publish, like int_agency_year_applications.
create or replace table int_agency_year_measures as
with
applications as (
    select * from stg_applications
),

final as (
    select
        org_nr,
        year,
        measure,
        count(*) as applications,
        count(*) filter (where is_granted) as granted,
        sum(granted_sek) as granted_sek
    from applications
    group by org_nr, year, measure
)

select * from final
order by org_nr, year, measure
