-- The national figures of one year next to the year before ($year), each year with the number of
-- agencies its figures rest on, so that a change can be told from a change in who reported.
with
totals as (
    select * from year_totals
    where is_national
),

this_year as (
    select * from totals
    where year = $year
),

last_year as (
    select * from totals
    where year = $year - 1
),

final as (
    select
        this_year.year,
        this_year.agencies_with_funds,
        last_year.agencies_with_funds as previous_agencies_with_funds,
        this_year.agencies_with_applications,
        last_year.agencies_with_applications as previous_agencies_with_applications,
        this_year.allocated_sek,
        last_year.allocated_sek as previous_allocated_sek,
        this_year.spent_sek,
        last_year.spent_sek as previous_spent_sek,
        this_year.utilisation,
        last_year.utilisation as previous_utilisation,
        this_year.closing_balance_sek,
        last_year.closing_balance_sek as previous_closing_balance_sek,
        this_year.reserve_years,
        last_year.reserve_years as previous_reserve_years,
        this_year.applications,
        last_year.applications as previous_applications,
        this_year.approval_rate,
        last_year.approval_rate as previous_approval_rate,
        this_year.median_handling_days,
        last_year.median_handling_days as previous_median_handling_days
    from this_year
    left join last_year on true
)

select * from final
