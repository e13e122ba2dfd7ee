-- Per agency and year: the fund, the applications received, and the measures of PRODUCT.md.
-- A row exists where the agency reported funds or applications for the year. A rate whose
-- denominator is zero or missing is null, never 0.
-- A file cannot say "no applications this year", so an agency-year without applications counts
-- as a reported zero from the agency's first year with applications up to the latest year any
-- agency has applications for (reports_applications): an agency that reports applications is
-- taken to report every year since. Before its first year, or for an agency that never sent any,
-- its application measures are missing (null), not 0.
-- A table, built with the measures: the peer groups, the measures' values and an agency's view of
-- its peers read it many times a query (as a view it was three quarters of an agency's peer queries).
create or replace table agency_year_kpis as
with
agencies as (
    select * from stg_agencies
),

fund_years as (
    select * from stg_fund_years
),

application_counts as (
    select * from int_agency_year_applications
),

size_classes as (
    select * from size_classes
),

agency_years as (
    select org_nr, year from fund_years
    union
    select org_nr, year from application_counts
),

reporting_spans as (
    select
        org_nr,
        min(year) as first_applications_year,
        (select max(year) from application_counts) as last_applications_year
    from application_counts
    group by org_nr
),

joined as (
    select
        agency_years.org_nr,
        agencies.name,
        agencies.sector,
        agency_years.year,
        fund_years.employees,
        fund_years.fte,
        size_classes.size_class,
        size_classes.label_sv as size_class_label,
        fund_years.payroll_sek,
        fund_years.allocation_rate,
        fund_years.allocated_sek,
        fund_years.spent_sek,
        fund_years.opening_balance_sek,
        fund_years.closing_balance_sek,
        application_counts.applications,
        application_counts.decided,
        application_counts.granted,
        application_counts.fully_granted,
        application_counts.partly_granted,
        application_counts.rejected,
        application_counts.withdrawn,
        application_counts.pending,
        application_counts.requested_sek,
        application_counts.granted_sek,
        application_counts.median_handling_days,
        fund_years.org_nr is not null as has_funds,
        application_counts.org_nr is not null as has_applications,
        coalesce(
            agency_years.year between reporting_spans.first_applications_year and reporting_spans.last_applications_year,
            false
        ) as reports_applications
    from agency_years
    inner join agencies on agencies.org_nr = agency_years.org_nr
    left join fund_years
        on fund_years.org_nr = agency_years.org_nr and fund_years.year = agency_years.year
    left join application_counts
        on application_counts.org_nr = agency_years.org_nr and application_counts.year = agency_years.year
    left join reporting_spans on reporting_spans.org_nr = agency_years.org_nr
    left join size_classes
        on fund_years.employees between size_classes.min_employees
        and coalesce(size_classes.max_employees, fund_years.employees)
),

counted as (
    -- a year inside the reporting span without applications is a reported zero
    select
        * replace (
            case when reports_applications then coalesce(applications, 0) end as applications,
            case when reports_applications then coalesce(decided, 0) end as decided,
            case when reports_applications then coalesce(granted, 0) end as granted,
            case when reports_applications then coalesce(fully_granted, 0) end as fully_granted,
            case when reports_applications then coalesce(partly_granted, 0) end as partly_granted,
            case when reports_applications then coalesce(rejected, 0) end as rejected,
            case when reports_applications then coalesce(withdrawn, 0) end as withdrawn,
            case when reports_applications then coalesce(pending, 0) end as pending,
            case when reports_applications then coalesce(requested_sek, 0) end as requested_sek,
            case when reports_applications then coalesce(granted_sek, 0) end as granted_sek
        )
    from joined
),

final as (
    select
        *,
        payroll_sek * allocation_rate as expected_allocated_sek,
        spent_sek::double / nullif(allocated_sek, 0) as utilisation,
        closing_balance_sek::double / nullif(allocated_sek, 0) as reserve_years,
        granted::double / nullif(decided, 0) as approval_rate,
        100.0 * applications / nullif(employees, 0) as applications_per_100_employees,
        granted_sek::double / nullif(employees, 0) as granted_per_employee_sek
    from counted
)

select * from final
