-- The idle-fund watchlist: every agency and year that breaks a rule of PRODUCT.md, one row per
-- rule broken, with its reason in Swedish and the amount concerned.
--   reserve: the closing balance exceeds reserve_limit years of allocation; the amount is the
--            part of the balance above that limit.
--   low_utilisation: utilisation under utilisation_limit in each of the low_years calendar years
--            up to this one (a year without a report breaks the run); the amount is what those
--            years' allocations left unspent.
-- Call as idle_fund_flags(reserve_limit := 3, utilisation_limit := 0.5, low_years := 3).
create or replace macro idle_fund_flags(reserve_limit := 3, utilisation_limit := 0.5, low_years := 3) as table
with
kpis as (
    select * from agency_year_kpis
    where has_funds
),

runs as (
    select
        *,
        count(*) over recent as years_reported,
        count(*) filter (where utilisation < utilisation_limit) over recent as years_low,
        sum(allocated_sek - spent_sek) over recent as unspent_sek,
        string_agg(year || ': ' || coalesce(sv_percent(utilisation), 'saknas'), ', ') over recent as yearly_text
    from kpis
    window recent as (partition by org_nr order by year range between low_years - 1 preceding and current row)
),

reserve_flags as (
    select
        org_nr,
        year,
        'reserve' as rule,
        reserve_years as value,
        reserve_limit::double as threshold,
        closing_balance_sek - reserve_limit * allocated_sek as amount_sek,
        'Utgående saldo ' || year || ' är ' || sv_kronor(closing_balance_sek)
            || ', ' || sv_short(reserve_years) || ' årsavsättningar, mer än gränsen '
            || sv_short(reserve_limit) || '. Över gränsen: ' || sv_kronor(closing_balance_sek - reserve_limit * allocated_sek)
            || '.' as reason
    from kpis
    where reserve_years > reserve_limit
),

utilisation_flags as (
    select
        org_nr,
        year,
        'low_utilisation' as rule,
        utilisation as value,
        utilisation_limit::double as threshold,
        unspent_sek as amount_sek,
        'Nyttjandegraden har legat under ' || sv_percent(utilisation_limit) || ' '
            || low_years || ' år i rad (' || yearly_text || '). Outnyttjat av årens avsättningar: '
            || sv_kronor(unspent_sek) || '.' as reason
    from runs
    where years_reported = low_years and years_low = low_years
),

final as (
    select * from reserve_flags
    union all
    select * from utilisation_flags
)

select * from final
