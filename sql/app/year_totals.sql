-- National and per-sector totals for every year, for trends.
select * from year_totals
order by year, is_national desc, sector collate sv
