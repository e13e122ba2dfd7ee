-- Applications, decisions and grants per agency, year received, and the applicant's gender or age
-- band: one row per agency, year, dimension ('gender' or 'age_band') and group. An application
-- without the field counts under 'uppgift saknas'. Materialised at each publish, like
-- int_agency_year_applications.
create or replace table int_agency_year_groups as
with
applications as (
    select * from stg_applications
),

by_dimension as (
    select
        org_nr,
        year,
        'gender' as dimension,
        coalesce(gender, 'uppgift saknas') as applicant_group,
        is_decided,
        is_granted
    from applications
    union all
    select
        org_nr,
        year,
        'age_band' as dimension,
        coalesce(age_band, 'uppgift saknas') as applicant_group,
        is_decided,
        is_granted
    from applications
),

final as (
    select
        org_nr,
        year,
        dimension,
        applicant_group,
        count(*) as applications,
        count(*) filter (where is_decided) as decided,
        count(*) filter (where is_granted) as granted
    from by_dimension
    group by org_nr, year, dimension, applicant_group
)

select * from final
order by org_nr, year, dimension, applicant_group
