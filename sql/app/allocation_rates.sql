-- The allocation rate by year, with its source.
select first_year, last_year, rate, source from allocation_rates
order by first_year
