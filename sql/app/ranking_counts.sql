-- The counts behind every agency's rates in one year ($year), for disclosure control.
select org_nr, applications, decided, granted, rejected
from agency_year_kpis
where year = $year
