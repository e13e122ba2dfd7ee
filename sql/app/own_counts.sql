-- One agency's counts of applications by year ($org_nr): what disclosure control needs to know
-- about the figures that rest on them.
select
    year,
    has_funds,
    reports_applications,
    allocated_sek,
    spent_sek,
    closing_balance_sek,
    applications,
    decided,
    granted,
    rejected,
    granted_sek
from agency_year_kpis
where org_nr = $org_nr
order by year
