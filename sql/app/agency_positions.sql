-- One agency's measures in one year beside its peer group's median and quartiles
-- ($org_nr, $year, $group_type), in the order of the definitions.
with
positions as (
    select * from peer_positions
    where org_nr = $org_nr and year = $year and group_type = $group_type
),

definitions as (
    select * from kpi_definitions
),

final as (
    select
        positions.kpi,
        definitions.label_sv,
        definitions.unit_sv,
        positions.direction,
        positions.value,
        positions.group_label,
        positions.peer_agencies,
        positions.lower_quartile,
        positions.peer_median,
        positions.upper_quartile,
        positions.percentile_rank,
        positions.quartile_class,
        definitions.sort_order
    from positions
    inner join definitions on definitions.kpi = positions.kpi
)

select * exclude (sort_order) from final
order by sort_order
