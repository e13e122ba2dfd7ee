-- Each agency's place among its peers, per year, kind of group and measure: the group's median
-- and quartiles, the agency's percentile rank and its quartile class, following the measure's
-- direction.
--   percentile_rank: the share of the other agencies with a value that this one does better than
--     (for a neutral measure: has a higher value than), ties counting half; null when alone.
--   quartile_class: best / middle / worst (neutral: high / middle / low). Best is strictly better
--     than the better quartile, worst strictly worse than the worse one, the rest middle; null
--     when the agency has no value or fewer than min_for_class agencies in the group have one.
create or replace view peer_positions as
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

agency_values as (
    select
        groups.year,
        groups.org_nr,
        groups.group_type,
        groups.group_id,
        groups.group_label,
        kpi_values.kpi,
        kpi_values.value
    from groups
    inner join kpi_values on kpi_values.org_nr = groups.org_nr and kpi_values.year = groups.year
),

compared as (
    select
        agency_values.year,
        agency_values.org_nr,
        agency_values.group_type,
        agency_values.kpi,
        count(*) filter (where peer.value < agency_values.value) as peers_lower,
        count(*) filter (where peer.value > agency_values.value) as peers_higher,
        count(*) filter (where peer.value = agency_values.value) as peers_equal
    from agency_values
    inner join members
        on members.year = agency_values.year
        and members.group_type = agency_values.group_type
        and members.group_id = agency_values.group_id
        and members.member_org_nr <> agency_values.org_nr
    inner join kpi_values as peer
        on peer.org_nr = members.member_org_nr and peer.year = members.year and peer.kpi = agency_values.kpi
    group by agency_values.year, agency_values.org_nr, agency_values.group_type, agency_values.kpi
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
            when agency_values.value is null or stats.agencies < 2 then null
            when definitions.direction = 'lower_better'
                then (compared.peers_higher + 0.5 * compared.peers_equal) / (stats.agencies - 1)
            else (compared.peers_lower + 0.5 * compared.peers_equal) / (stats.agencies - 1)
        end as percentile_rank,
        case
            when agency_values.value is null or stats.agencies < settings.min_for_class then null
            when definitions.direction = 'higher_better' then
                case
                    when agency_values.value > stats.upper_quartile then 'best'
                    when agency_values.value < stats.lower_quartile then 'worst'
                    else 'middle'
                end
            when definitions.direction = 'lower_better' then
                case
                    when agency_values.value < stats.lower_quartile then 'best'
                    when agency_values.value > stats.upper_quartile then 'worst'
                    else 'middle'
                end
            else
                case
                    when agency_values.value > stats.upper_quartile then 'high'
                    when agency_values.value < stats.lower_quartile then 'low'
                    else 'middle'
                end
        end as quartile_class
    from agency_values
    inner join definitions on definitions.kpi = agency_values.kpi
    inner join stats
        on stats.year = agency_values.year
        and stats.group_type = agency_values.group_type
        and stats.group_id = agency_values.group_id
        and stats.kpi = agency_values.kpi
    left join compared
        on compared.year = agency_values.year
        and compared.org_nr = agency_values.org_nr
        and compared.group_type = agency_values.group_type
        and compared.kpi = agency_values.kpi
    cross join settings
)

select * from final
