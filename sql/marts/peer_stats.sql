-- Per peer group, year and measure: unweighted median and quartiles of the members' values, and
-- how many agencies they rest on (members with a value).
create or replace table peer_stats as
with
members as (
    select * from peer_group_members
),

kpi_values as (
    -- a value in question is no peer's position (kpi_values)
    select * replace (case when not in_question then value end as value) from kpi_values
),

final as (
    select
        members.year,
        members.group_type,
        members.group_id,
        kpi_values.kpi,
        count(kpi_values.value) as agencies,
        count(*) as members,
        quantile_cont(kpi_values.value, 0.25) as lower_quartile,
        median(kpi_values.value) as median,
        quantile_cont(kpi_values.value, 0.75) as upper_quartile,
        min(kpi_values.value) as minimum,
        max(kpi_values.value) as maximum
    from members
    inner join kpi_values
        on kpi_values.org_nr = members.member_org_nr and kpi_values.year = members.year
    group by members.year, members.group_type, members.group_id, kpi_values.kpi
)

select * from final
