-- The idle-fund watchlist: every agency and year that breaks a rule of PRODUCT.md, one row per
-- rule broken, with its reason in Swedish and the amount concerned.
--   reserve: the closing balance exceeds reserve_limit years of allocation (or there is a balance
--            and no allocation at all); the amount is the part of the balance above the limit.
--   low_utilisation: utilisation under utilisation_limit in each of the low_years calendar years
--            up to this one (a year without a report breaks the run); the amount is what those
--            years' allocations left unspent.
--   negative_balance: the closing balance is below zero, which the fund's rules cannot produce:
--            a question about the data; the amount is the balance.
-- Values in the reasons get the decimals it takes not to read as the limit (3,04 over 3).
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
        string_agg(
            year || ': ' || coalesce(sv_beside(100 * utilisation, 100 * utilisation_limit, 0) || chr(160) || '%', 'saknas'),
            ', '
        ) over recent as yearly_text
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
        'Utgående saldo ' || year || ' är ' || sv_kronor(closing_balance_sek) || ', '
            || sv_beside(reserve_years, reserve_limit, 1) || ' årsavsättningar, mer än gränsen '
            || sv_short(reserve_limit) || '. Över gränsen: '
            || sv_kronor(closing_balance_sek - reserve_limit * allocated_sek) || '.' as reason
    from kpis
    where reserve_years > reserve_limit
),

unallocated_flags as (
    -- a balance with no allocation has no reserve in years, but is idle all the same
    select
        org_nr,
        year,
        'reserve' as rule,
        null::double as value,
        reserve_limit::double as threshold,
        closing_balance_sek as amount_sek,
        'Utgående saldo ' || year || ' är ' || sv_kronor(closing_balance_sek)
            || ' och ingenting avsattes under året.' as reason
    from kpis
    where allocated_sek = 0 and closing_balance_sek > 0
),

negative_flags as (
    -- the fund's own rules cannot make a balance negative: a question about the data, not idle funds
    select
        org_nr,
        year,
        'negative_balance' as rule,
        closing_balance_sek::double as value,
        0::double as threshold,
        closing_balance_sek as amount_sek,
        'Utgående saldo ' || year || ' är negativt, ' || chr(8722) || sv_kronor(-closing_balance_sek)
            || ': en fråga om underlaget. Stäm av siffrorna med myndigheten.' as reason
    from kpis
    where closing_balance_sek < 0
),

utilisation_flags as (
    select
        org_nr,
        year,
        'low_utilisation' as rule,
        utilisation as value,
        utilisation_limit::double as threshold,
        unspent_sek as amount_sek,
        case
            when low_years = 1 then 'Nyttjandegraden var under ' || sv_percent(utilisation_limit)
            else 'Nyttjandegraden har legat under ' || sv_percent(utilisation_limit) || ' ' || low_years || ' år i rad'
        end
            || ' (' || yearly_text || '). Outnyttjat av '
            || case when low_years = 1 then 'årets avsättning' else 'årens avsättningar' end
            || ': ' || sv_kronor(unspent_sek) || '.' as reason
    from runs
    where years_reported = low_years and years_low = low_years
),

final as (
    select * from reserve_flags
    union all
    select * from unallocated_flags
    union all
    select * from negative_flags
    union all
    select * from utilisation_flags
)

select * from final
