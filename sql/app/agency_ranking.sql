-- Every agency in one year with its measures and its quartile class in the chosen kind of peer
-- group ($year, $group_type), largest unused funds first.
with
kpis as (
    select * from agency_year_kpis
    where year = $year
),

positions as (
    select * from peer_positions
    where year = $year and group_type = $group_type
),

classes as (
    select
        org_nr,
        any_value(group_label) as peer_group,
        any_value(quartile_class) filter (where kpi = 'utilisation') as utilisation_class,
        any_value(quartile_class) filter (where kpi = 'reserve_years') as reserve_years_class,
        any_value(quartile_class) filter (where kpi = 'applications_per_100_employees')
            as applications_per_100_employees_class,
        any_value(quartile_class) filter (where kpi = 'approval_rate') as approval_rate_class,
        any_value(quartile_class) filter (where kpi = 'granted_per_employee_sek') as granted_per_employee_sek_class,
        any_value(quartile_class) filter (where kpi = 'median_handling_days') as median_handling_days_class
    from positions
    group by org_nr
),

final as (
    select
        kpis.org_nr,
        kpis.name,
        kpis.sector,
        kpis.size_class_label,
        kpis.employees,
        kpis.allocated_sek,
        kpis.spent_sek,
        kpis.utilisation,
        kpis.closing_balance_sek,
        kpis.reserve_years,
        kpis.applications,
        kpis.decided,
        kpis.granted,
        kpis.approval_rate,
        kpis.applications_per_100_employees,
        kpis.granted_per_employee_sek,
        kpis.median_handling_days,
        kpis.has_funds,
        kpis.has_applications,
        kpis.reports_applications,
        classes.* exclude (org_nr)
    from kpis
    left join classes on classes.org_nr = kpis.org_nr
)

select * from final
order by closing_balance_sek desc nulls last, name collate sv
