-- Per agency, year received and measure type: applications and granted amounts, with each
-- measure's share of the agency's year. Shares are null where the year's total is zero.
create or replace view agency_year_measure_mix as
with
measure_counts as (
    select * from int_agency_year_measures
),

agencies as (
    select * from stg_agencies
),

totals as (
    select
        *,
        sum(applications) over agency_year as year_applications,
        sum(granted_sek) over agency_year as year_granted_sek
    from measure_counts
    window agency_year as (partition by org_nr, year)
),

final as (
    select
        totals.org_nr,
        agencies.sector,
        totals.year,
        totals.measure,
        totals.applications,
        totals.granted,
        totals.granted_sek,
        totals.applications / nullif(totals.year_applications, 0) as share_of_applications,
        totals.granted_sek / nullif(totals.year_granted_sek, 0) as share_of_granted_sek
    from totals
    inner join agencies on agencies.org_nr = totals.org_nr
)

select * from final
