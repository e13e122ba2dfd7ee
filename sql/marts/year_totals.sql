-- National and per-sector totals per year, with the number of agencies each figure rests on.
-- Rates are ratios of sums over the agencies that report both parts (a national utilisation is
-- all spent over all allocated), unlike peer figures, which are medians of the agencies' rates.
-- Application figures rest on the agencies that report applications for the year (see
-- agency_year_kpis), per-employee rates on those that report funds as well.
create or replace view year_totals as
with
kpis as (
    select * from agency_year_kpis
),

handling_times as (
    select * from int_handling_times
),

grouped as (
    select
        year,
        sector,
        grouping(sector) = 1 as is_national,
        count(*) filter (where has_funds) as agencies_with_funds,
        count(*) filter (where reports_applications) as agencies_with_applications,
        count(*) filter (where has_funds and reports_applications) as agencies_with_both,
        sum(employees) as employees,
        sum(allocated_sek) as allocated_sek,
        sum(spent_sek) as spent_sek,
        sum(closing_balance_sek) as closing_balance_sek,
        sum(applications) filter (where reports_applications) as applications,
        sum(decided) filter (where reports_applications) as decided,
        sum(granted) filter (where reports_applications) as granted,
        sum(rejected) filter (where reports_applications) as rejected,
        sum(withdrawn) filter (where reports_applications) as withdrawn,
        sum(pending) filter (where reports_applications) as pending,
        sum(granted_sek) filter (where reports_applications) as granted_sek,
        -- the parts of per-employee rates, from agencies that report both funds and applications
        sum(employees) filter (where has_funds and reports_applications) as employees_with_applications,
        sum(applications) filter (where has_funds and reports_applications) as applications_with_employees,
        sum(granted_sek) filter (where has_funds and reports_applications) as granted_sek_with_employees
    from kpis
    group by grouping sets ((year), (year, sector))
),

final as (
    select
        grouped.year,
        grouped.is_national,
        grouped.sector,
        grouped.agencies_with_funds,
        grouped.agencies_with_applications,
        grouped.agencies_with_both,
        grouped.employees,
        grouped.allocated_sek,
        grouped.spent_sek,
        grouped.closing_balance_sek,
        grouped.applications,
        grouped.decided,
        grouped.granted,
        grouped.rejected,
        grouped.withdrawn,
        grouped.pending,
        grouped.granted_sek,
        grouped.spent_sek / nullif(grouped.allocated_sek, 0) as utilisation,
        grouped.closing_balance_sek / nullif(grouped.allocated_sek, 0) as reserve_years,
        grouped.granted / nullif(grouped.decided, 0) as approval_rate,
        100 * grouped.applications_with_employees / nullif(grouped.employees_with_applications, 0)
            as applications_per_100_employees,
        grouped.granted_sek_with_employees / nullif(grouped.employees_with_applications, 0)
            as granted_per_employee_sek,
        handling_times.median_handling_days
    from grouped
    left join handling_times
        on handling_times.year = grouped.year
        and handling_times.is_national = grouped.is_national
        and handling_times.sector is not distinct from grouped.sector
)

select * from final
