-- Approval rates with their noise: a Wilson 95 % interval per agency and year, and whether the
-- agency's peer-group median lies outside it (above: the agency approves more than its peers
-- beyond chance; below: fewer; null without a rate or with fewer than min_group_size agencies
-- in the group). funnel_low / funnel_high are the 95 % limits around the peer median for as many
-- decisions as the agency made, for a funnel plot (null without a decision).
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

intervals as (
    select
        org_nr,
        year,
        granted,
        decided,
        approval_rate,
        1.959963984540054 as z
    from kpis
),

wilson_parts as (
    select
        org_nr,
        year,
        (approval_rate + z * z / (2 * decided)) / (1 + z * z / decided) as centre,
        z / (1 + z * z / decided)
            * sqrt(approval_rate * (1 - approval_rate) / decided + z * z / (4 * decided * decided)) as half_width
    from intervals
    where decided > 0
),

wilson as (
    -- rounded to 12 decimals and kept within 0..1, so that floating-point noise never moves a
    -- limit across a peer median it equals (a rate of 100 % has an upper limit of exactly 1)
    select
        org_nr,
        year,
        greatest(0, round(centre - half_width, 12)) as wilson_low,
        least(1, round(centre + half_width, 12)) as wilson_high
    from wilson_parts
),

funnel as (
    select
        positions.org_nr,
        positions.year,
        positions.group_type,
        intervals.z * sqrt(positions.peer_median * (1 - positions.peer_median) / intervals.decided) as half_width
    from positions
    inner join intervals on intervals.org_nr = positions.org_nr and intervals.year = positions.year
    where intervals.decided > 0
),

final as (
    select
        positions.year,
        positions.org_nr,
        positions.group_type,
        positions.group_id,
        intervals.granted,
        intervals.decided,
        intervals.approval_rate,
        wilson.wilson_low,
        wilson.wilson_high,
        positions.peer_agencies,
        positions.peer_median,
        case
            when wilson.org_nr is null or positions.peer_agencies < settings.min_group_size then null
            when wilson.wilson_low > positions.peer_median then 'above'
            when wilson.wilson_high < positions.peer_median then 'below'
            else 'within'
        end as difference,
        -- greatest and least skip nulls: without a half width there are no limits
        case when funnel.half_width is not null then greatest(0, positions.peer_median - funnel.half_width) end
            as funnel_low,
        case when funnel.half_width is not null then least(1, positions.peer_median + funnel.half_width) end
            as funnel_high
    from positions
    inner join intervals on intervals.org_nr = positions.org_nr and intervals.year = positions.year
    left join wilson on wilson.org_nr = positions.org_nr and wilson.year = positions.year
    left join funnel
        on funnel.org_nr = positions.org_nr
        and funnel.year = positions.year
        and funnel.group_type = positions.group_type
    cross join settings
)

select * from final
