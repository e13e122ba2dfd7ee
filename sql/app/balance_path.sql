-- One agency's closing balance over the years it reported up to $year, then projected three years
-- on ($org_nr, $year).
with
history as (
    select year, closing_balance_sek::double as balance_sek, reserve_years, false as is_projection
    from agency_year_kpis
    where org_nr = $org_nr and year <= $year and has_funds
),

projection as (
    select year, balance_sek, reserve_years, true as is_projection
    from fund_projection
    where org_nr = $org_nr and base_year = $year and step <= 3
),

final as (
    select * from history
    union all
    select * from projection
)

select * from final
order by year
