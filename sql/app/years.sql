-- The years the data covers, newest first, and what was reported for each.
select
    year,
    count(*) filter (where has_funds) as agencies_with_funds,
    count(*) filter (where reports_applications) as agencies_with_applications
from agency_year_kpis
group by year
order by year desc
