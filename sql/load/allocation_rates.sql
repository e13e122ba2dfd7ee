select first_year, last_year, rate from allocation_rates order by first_year
