-- The watchlist of one year with the thresholds chosen on the page
-- ($year, $reserve_limit, $utilisation_limit, $low_years).
with
flags as (
    select * from idle_fund_flags(
        reserve_limit := $reserve_limit, utilisation_limit := $utilisation_limit, low_years := $low_years
    )
    where year = $year
),

kpis as (
    select * from agency_year_kpis
    where year = $year
),

final as (
    select
        flags.org_nr,
        kpis.name,
        kpis.sector,
        flags.rule,
        flags.value,
        flags.threshold,
        flags.amount_sek,
        flags.reason,
        kpis.closing_balance_sek,
        kpis.reserve_years,
        kpis.utilisation
    from flags
    inner join kpis on kpis.org_nr = flags.org_nr
)

select * from final
order by amount_sek desc, name collate sv
