-- Which agency reported funds and applications for which year, over every year the data covers,
-- with the load that last wrote each slice and whether a later file corrected it. applications
-- is null where the agency does not report applications for the year (see agency_year_kpis).
create or replace view reporting_coverage as
with
agencies as (
    select * from stg_agencies
),

kpis as (
    select * from agency_year_kpis
),

slices as (
    select * from stg_load_slices
),

loads as (
    select * from stg_loads
),

covered_years as (
    select unnest(range(min(year), max(year) + 1)) as year
    from kpis
),

slice_history as (
    select
        kind,
        org_nr,
        year,
        max(load_id) as last_load_id,
        bool_or(is_correction) as is_corrected
    from slices
    where kind in ('funds', 'applications')
    group by kind, org_nr, year
),

final as (
    select
        agencies.org_nr,
        agencies.name,
        agencies.sector,
        covered_years.year,
        coalesce(kpis.has_funds, false) as has_funds,
        coalesce(kpis.has_applications, false) as has_applications,
        coalesce(kpis.reports_applications, false) as reports_applications,
        kpis.applications,
        funds.last_load_id as funds_load_id,
        funds_loads.finished_at as funds_loaded_at,
        coalesce(funds.is_corrected, false) as funds_corrected,
        applications.last_load_id as applications_load_id,
        applications_loads.finished_at as applications_loaded_at,
        coalesce(applications.is_corrected, false) as applications_corrected
    from agencies
    cross join covered_years
    left join kpis
        on kpis.org_nr = agencies.org_nr and kpis.year = covered_years.year
    left join slice_history as funds
        on funds.kind = 'funds' and funds.org_nr = agencies.org_nr and funds.year = covered_years.year
    left join loads as funds_loads on funds_loads.load_id = funds.last_load_id
    left join slice_history as applications
        on applications.kind = 'applications'
        and applications.org_nr = agencies.org_nr
        and applications.year = covered_years.year
    left join loads as applications_loads on applications_loads.load_id = applications.last_load_id
)

select * from final
