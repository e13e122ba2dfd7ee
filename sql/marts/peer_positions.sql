-- Each agency's place among its peers, per year, kind of group and measure: the group's median
-- and quartiles, the agency's percentile rank and its quartile class, following the measure's
-- direction.
--   percentile_rank: the share of the other agencies with a value that this one does better than
--     (for a neutral measure: has a higher value than), ties counting half.
--   quartile_class: best / middle / worst (neutral: high / middle / low). Best is strictly better
--     than the better quartile, worst strictly worse than the worse one, the rest middle; null
--     when the agency has no value or fewer than min_agencies_placed agencies in the group have one
--     (and so is the percentile rank); 'question' for a value in question (kpi_values: a negative
--     balance), which is neither in the peers' distribution nor ranked.
create or replace table peer_positions as
with
groups as (
    select * from peer_groups
),

members as (
    select * from peer_group_members
),

kpi_values as (
    select * from kpi_values
),

stats as (
    select * from peer_stats
),

definitions as (
    select kpi, direction from kpi_definitions
),

settings as (
    select * from peer_settings
),

member_values as (
    select
        members.year,
        members.group_type,
        members.group_id,
        kpi_values.kpi,
        list_sort(list(kpi_values.value)) as ascending
    from members
    inner join kpi_values
        on kpi_values.org_nr = members.member_org_nr and kpi_values.year = members.year
    where kpi_values.value is not null and not kpi_values.in_question
    group by members.year, members.group_type, members.group_id, kpi_values.kpi
),

agency_values as (
    -- each agency in the group it is compared with, and how many of the group's values lie
    -- below and above its own (found by position in the sorted values)
    select
        groups.year,
        groups.org_nr,
        groups.group_type,
        groups.group_id,
        groups.group_label,
        kpi_values.kpi,
        kpi_values.value,
        kpi_values.in_question,
        list_position(member_values.ascending, kpi_values.value) - 1 as peers_lower,
        list_position(list_reverse(member_values.ascending), kpi_values.value) - 1 as peers_higher
    from groups
    inner join kpi_values on kpi_values.org_nr = groups.org_nr and kpi_values.year = groups.year
    left join member_values
        on member_values.year = groups.year
        and member_values.group_type = groups.group_type
        and member_values.group_id = groups.group_id
        and member_values.kpi = kpi_values.kpi
),

final as (
    select
        agency_values.year,
        agency_values.org_nr,
        agency_values.group_type,
        agency_values.group_id,
        agency_values.group_label,
        agency_values.kpi,
        definitions.direction,
        agency_values.value,
        stats.agencies as peer_agencies,
        stats.lower_quartile,
        stats.median as peer_median,
        stats.upper_quartile,
        case
            when agency_values.value is null or agency_values.in_question or stats.agencies < settings.min_agencies_placed
                then null
            when definitions.direction = 'lower_better'
                then (agency_values.peers_higher + 0.5 * (stats.agencies - 1 - agency_values.peers_lower - agency_values.peers_higher))
                    / (stats.agencies - 1)
            else (agency_values.peers_lower + 0.5 * (stats.agencies - 1 - agency_values.peers_lower - agency_values.peers_higher))
                / (stats.agencies - 1)
        end as percentile_rank,
        case
            when agency_values.in_question then 'question'
            when agency_values.value is null or stats.agencies < settings.min_agencies_placed then null
            else quartile_class(agency_values.value, stats.lower_quartile, stats.upper_quartile, definitions.direction)
        end as quartile_class
    from agency_values
    inner join definitions on definitions.kpi = agency_values.kpi
    inner join stats
        on stats.year = agency_values.year
        and stats.group_type = agency_values.group_type
        and stats.group_id = agency_values.group_id
        and stats.kpi = agency_values.kpi
    cross join settings
)

select * from final
