-- The measures peers are compared on, one row per agency, year and measure (null where missing).
create or replace view kpi_values as
with
kpis as (
    select
        org_nr,
        year,
        utilisation,
        reserve_years,
        applications_per_100_employees,
        approval_rate,
        granted_per_employee_sek,
        median_handling_days::double as median_handling_days
    from agency_year_kpis
),

final as (
    from kpis
    unpivot include nulls (
        value for kpi in (
            utilisation,
            reserve_years,
            applications_per_100_employees,
            approval_rate,
            granted_per_employee_sek,
            median_handling_days
        )
    )
)

select org_nr, year, kpi, value from final
