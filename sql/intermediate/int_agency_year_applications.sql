-- Applications counted per agency and year received. Materialised at each publish: it is the one
-- aggregate over every application, and everything above it reads thousands of rows, not millions.
create or replace table int_agency_year_applications as
with
applications as (
    select * from stg_applications
),

final as (
    select
        org_nr,
        year,
        count(*) as applications,
        count(*) filter (where decision = 'beviljad') as fully_granted,
        count(*) filter (where decision = 'delvis beviljad') as partly_granted,
        count(*) filter (where is_granted) as granted,
        count(*) filter (where decision = 'avslag') as rejected,
        count(*) filter (where decision = 'återtagen') as withdrawn,
        count(*) filter (where decision = 'under handläggning') as pending,
        count(*) filter (where is_decided) as decided,
        sum(requested_sek) as requested_sek,
        sum(granted_sek) as granted_sek,
        median(handling_days) filter (where is_decided) as median_handling_days
    from applications
    group by org_nr, year
)

select * from final
order by org_nr, year
