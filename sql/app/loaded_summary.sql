-- What the database holds: one row of counts for the start page.
select
    (select count(*) from agencies) as agencies,
    (select count(*) from fund_years) as fund_years,
    (select count(*) from applications) as applications,
    (select min(year) from fund_years) as first_year,
    (select max(year) from fund_years) as last_year,
    (select max(finished_at) from loads where status = 'loaded') as last_load
