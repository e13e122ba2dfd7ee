-- Which years one agency ($org_nr) reported funds and applications for, and when each was last
-- loaded (from its own loads only), over every year the data covers, corrections marked.
select
    org_nr,
    year,
    has_funds,
    reports_applications,
    applications,
    funds_loaded_at,
    funds_corrected,
    applications_loaded_at,
    applications_corrected
from reporting_coverage
where org_nr = $org_nr
order by year desc
