-- What the figures rest on, in one row: years covered, agencies, the last load, corrections.
create or replace view data_vintage as
with
kpis as (
    select * from agency_year_kpis
),

loads as (
    select * from stg_loads
),

slices as (
    select * from stg_load_slices
),

coverage as (
    select
        min(year) filter (where has_funds) as first_funds_year,
        max(year) filter (where has_funds) as last_funds_year,
        min(year) filter (where has_applications) as first_applications_year,
        max(year) filter (where has_applications) as last_applications_year,
        count(distinct org_nr) as agencies,
        count(*) filter (where has_funds) as agency_years_with_funds,
        coalesce(sum(applications), 0) as applications
    from kpis
),

load_log as (
    select
        max(finished_at) filter (where status = 'loaded') as last_loaded_at,
        count(*) filter (where status = 'loaded') as files_loaded,
        count(*) filter (where status = 'rejected') as files_rejected
    from loads
),

corrections as (
    select
        count(*) as corrected_slices,
        max(loads.finished_at) as last_corrected_at
    from slices
    inner join loads on loads.load_id = slices.load_id
    where slices.is_correction and slices.kind in ('funds', 'applications')
),

final as (
    select * from coverage, load_log, corrections
)

select * from final
