-- Approval rates with their noise, per agency, year and kind of peer group: a Wilson 95 % interval
-- of the agency's own rate, and a funnel around its peer-group median: funnel_low / funnel_high
-- are the Wilson 95 % limits of the median for as many decisions as the agency made (null without
-- a decision). difference says whether the agency's rate lies outside that funnel (above: it
-- approves more than its peers beyond chance; below: fewer; null without a rate or with fewer
-- than min_agencies_placed agencies in the group). Wilson limits keep a width at a median of 100 %
-- (or 0 %), where the normal approximation's funnel has none.
create or replace view approval_rate_intervals as
with
kpis as (
    select * from agency_year_kpis
),

positions as (
    select * from peer_positions
    where kpi = 'approval_rate'
),

settings as (
    select * from peer_settings
),

limits as (
    select
        positions.year,
        positions.org_nr,
        positions.group_type,
        positions.group_id,
        kpis.granted,
        kpis.decided,
        kpis.approval_rate,
        wilson_limit(kpis.approval_rate, kpis.decided, -1) as wilson_low,
        wilson_limit(kpis.approval_rate, kpis.decided, 1) as wilson_high,
        positions.peer_agencies,
        positions.peer_median,
        wilson_limit(positions.peer_median, kpis.decided, -1) as funnel_low,
        wilson_limit(positions.peer_median, kpis.decided, 1) as funnel_high
    from positions
    inner join kpis on kpis.org_nr = positions.org_nr and kpis.year = positions.year
),

final as (
    select
        limits.*,
        case
            when limits.peer_agencies >= settings.min_agencies_placed
                then funnel_difference(limits.approval_rate, limits.peer_median, limits.decided)
        end as difference
    from limits
    cross join settings
)

select
    year, org_nr, group_type, group_id, granted, decided, approval_rate, wilson_low, wilson_high,
    peer_agencies, peer_median, difference, funnel_low, funnel_high
from final
