-- Every agency with data, in Swedish order, for choosing one.
select org_nr, name, sector
from stg_agencies
semi join agency_year_kpis using (org_nr)
order by name collate sv, org_nr
