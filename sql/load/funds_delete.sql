delete from fund_years as f
using slices as s
where f.org_nr = s.org_nr and f.year = s.year
