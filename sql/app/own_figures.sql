-- Every figure of one agency ($org_nr), year by year: kronor, counts and measures as the agency
-- reported them, with the Wilson interval of its approval rate. Its own, so nothing is hidden.
with
kpis as (
    select * from agency_year_kpis
    where org_nr = $org_nr
),

final as (
    select
        org_nr,
        year,
        has_funds,
        reports_applications,
        employees,
        fte,
        payroll_sek,
        allocated_sek,
        spent_sek,
        opening_balance_sek,
        closing_balance_sek,
        coalesce(closing_balance_sek < 0, false) as negative_balance,
        utilisation,
        reserve_years,
        applications,
        decided,
        granted,
        rejected,
        withdrawn,
        pending,
        approval_rate,
        wilson_limit(approval_rate, decided, -1) as wilson_low,
        wilson_limit(approval_rate, decided, 1) as wilson_high,
        applications_per_100_employees,
        requested_sek,
        granted_sek,
        granted_per_employee_sek,
        median_handling_days
    from kpis
)

select * from final
order by year desc
