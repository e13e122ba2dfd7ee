-- The measures peers are compared on, one row per agency, year and measure (null where missing).
-- in_question: a value that is a question about the data, not a position among peers: the reserve
-- of a negative closing balance (the fund's own rules cannot make one). It is left out of the
-- peers' distribution and never placed in a quarter.
create or replace view kpi_values as
with
kpis as (
    select
        org_nr,
        year,
        coalesce(closing_balance_sek < 0, false) as negative_balance,
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

select
    org_nr,
    year,
    kpi,
    value,
    kpi = 'reserve_years' and negative_balance as in_question
from final
