-- One agency's measures over the years with its peer group's median and interquartile band
-- ($org_nr, $group_type).
with
positions as (
    select * from peer_positions
    where org_nr = $org_nr and group_type = $group_type
),

definitions as (
    select * from kpi_definitions
),

final as (
    select
        positions.year,
        positions.kpi,
        definitions.label_sv,
        positions.value,
        positions.peer_agencies,
        positions.lower_quartile,
        positions.peer_median,
        positions.upper_quartile,
        positions.quartile_class,
        definitions.sort_order
    from positions
    inner join definitions on definitions.kpi = positions.kpi
)

select * exclude (sort_order) from final
order by sort_order, year
