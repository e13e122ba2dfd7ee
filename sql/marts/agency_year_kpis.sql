-- Per agency and year: the fund, the applications received, and the measures of PRODUCT.md.
-- A row exists where the agency reported funds or applications for the year. A rate whose
-- denominator is zero or missing is null, never 0. An agency that sent no applications for a year
-- has 0 applications (has_applications tells the two apart from a reported zero, which the
-- contract cannot express).
create or replace view agency_year_kpis as
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

joined as (
    select
        agency_years.org_nr,
        agencies.name,
        agencies.sector,
        agency_years.year,
        fund_years.employees,
        size_classes.size_class,
        size_classes.label_sv as size_class_label,
        fund_years.payroll_sek,
        fund_years.allocation_rate,
        fund_years.allocated_sek,
        fund_years.spent_sek,
        fund_years.opening_balance_sek,
        fund_years.closing_balance_sek,
        coalesce(application_counts.applications, 0) as applications,
        coalesce(application_counts.decided, 0) as decided,
        coalesce(application_counts.granted, 0) as granted,
        coalesce(application_counts.fully_granted, 0) as fully_granted,
        coalesce(application_counts.partly_granted, 0) as partly_granted,
        coalesce(application_counts.rejected, 0) as rejected,
        coalesce(application_counts.withdrawn, 0) as withdrawn,
        coalesce(application_counts.pending, 0) as pending,
        coalesce(application_counts.requested_sek, 0) as requested_sek,
        coalesce(application_counts.granted_sek, 0) as granted_sek,
        application_counts.median_handling_days,
        fund_years.org_nr is not null as has_funds,
        application_counts.org_nr is not null as has_applications
    from agency_years
    inner join agencies on agencies.org_nr = agency_years.org_nr
    left join fund_years
        on fund_years.org_nr = agency_years.org_nr and fund_years.year = agency_years.year
    left join application_counts
        on application_counts.org_nr = agency_years.org_nr and application_counts.year = agency_years.year
    left join size_classes
        on fund_years.employees between size_classes.min_employees and coalesce(size_classes.max_employees, fund_years.employees)
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
    from joined
)

select * from final
