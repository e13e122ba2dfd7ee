-- One agency's peer group as the agency may see it ($org_nr, $group_type), year by year: per member
-- and measure, the median and quartiles of the values shown and each member's quartile class among
-- them. Left out of the distribution: the values in $hidden ('year|org_nr|kpi': peers' values that
-- rest on a count of 1 to 4, as queries/agency.py decides) and values in question, so that no figure
-- the viewer sees is a function of one it may not see (a median of six is the mean of two values:
-- with the viewer's own as one, it would give the other away).
-- other_agencies: how many agencies besides the member the distribution rests on.
with
members as (
    select * from agency_peers
    where org_nr = $org_nr and group_type = $group_type
),

kpi_values as (
    select * from kpi_values
),

definitions as (
    select kpi, direction from kpi_definitions
),

settings as (
    select * from peer_settings
),

member_values as (
    select
        kpi_values.year,
        kpi_values.org_nr,
        kpi_values.kpi,
        kpi_values.value,
        kpi_values.in_question,
        kpi_values.value is not null
        and not kpi_values.in_question
        and not list_contains($hidden, kpi_values.year || '|' || kpi_values.org_nr || '|' || kpi_values.kpi) as is_shown
    from members
    inner join kpi_values on kpi_values.org_nr = members.member_org_nr and kpi_values.year = members.year
),

stats as (
    select
        year,
        kpi,
        count(*) as agencies,
        quantile_cont(value, 0.25) as lower_quartile,
        median(value) as peer_median,
        quantile_cont(value, 0.75) as upper_quartile
    from member_values
    where is_shown
    group by year, kpi
),

final as (
    select
        member_values.year,
        member_values.org_nr,
        member_values.kpi,
        coalesce(stats.agencies, 0) as peer_agencies,
        coalesce(stats.agencies, 0) - member_values.is_shown::integer as other_agencies,
        stats.lower_quartile,
        stats.peer_median,
        stats.upper_quartile,
        case
            when member_values.in_question then 'question'
            when not member_values.is_shown or coalesce(stats.agencies, 0) < settings.min_agencies_placed then null
            else quartile_class(member_values.value, stats.lower_quartile, stats.upper_quartile, definitions.direction)
        end as quartile_class
    from member_values
    inner join definitions on definitions.kpi = member_values.kpi
    left join stats on stats.year = member_values.year and stats.kpi = member_values.kpi
    cross join settings
)

select * from final
order by year, kpi, org_nr
