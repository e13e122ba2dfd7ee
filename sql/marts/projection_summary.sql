-- The projection of each agency and base year in one row: the balance in three years, the first
-- year the reserve would exceed reserve_limit years of allocation (null if not within 30 years,
-- or if it already does), and the extra kronor a year that would bring the reserve down to the
-- peer-group median within three years (0 when it would already be at or under it; null when
-- fewer than min_agencies_placed agencies of the group have a reserve, as the median is then little
-- more than the agency's own):
--   extra = (projected balance in year 3 - peer median reserve x allocation of year 3) / 3
-- Call as projection_summary(reserve_limit := 3, peer_group := 'similar').
create or replace macro projection_summary(reserve_limit := 3, peer_group := 'similar') as table
with
kpis as (
    select * from agency_year_kpis
    where has_funds
),

projection as (
    select * from fund_projection
),

positions as (
    select * from peer_positions
    where kpi = 'reserve_years' and group_type = peer_group
),

crossings as (
    select
        org_nr,
        base_year,
        min(year) filter (where reserve_years > reserve_limit) as crossing_year
    from projection
    group by org_nr, base_year
),

settings as (
    select * from peer_settings
),

third_year as (
    select * from projection
    where step = 3
),

final as (
    select
        kpis.org_nr,
        kpis.year as base_year,
        kpis.closing_balance_sek,
        kpis.reserve_years,
        third_year.mean_utilisation,
        third_year.years_in_mean,
        third_year.year as horizon_year,
        third_year.balance_sek as horizon_balance_sek,
        third_year.reserve_years as horizon_reserve_years,
        reserve_limit::double as reserve_limit,
        kpis.reserve_years > reserve_limit as over_limit_now,
        case when kpis.reserve_years <= reserve_limit then crossings.crossing_year end as crossing_year,
        positions.group_id as peer_group_id,
        positions.peer_agencies,
        positions.peer_median as peer_median_reserve_years,
        case
            when positions.peer_agencies >= settings.min_agencies_placed
                then greatest(0, (third_year.balance_sek - positions.peer_median * third_year.allocated_sek) / 3)
        end as extra_spending_per_year_sek
    from kpis
    inner join third_year on third_year.org_nr = kpis.org_nr and third_year.base_year = kpis.year
    left join crossings on crossings.org_nr = kpis.org_nr and crossings.base_year = kpis.year
    left join positions on positions.org_nr = kpis.org_nr and positions.year = kpis.year
    cross join settings
)

select * from final
