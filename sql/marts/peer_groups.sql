-- The group each agency is compared with, per year and kind of group. A sector or size group is
-- shared by its members; an agency's group of similar agencies is its own (group_id = its org_nr).
create or replace view peer_groups as
with
kpis as (
    select * from agency_year_kpis
),

final as (
    select year, org_nr, 'sector' as group_type, sector as group_id, sector as group_label
    from kpis
    union all
    select year, org_nr, 'size', size_class::varchar, size_class_label || ' anställda'
    from kpis
    where size_class is not null
    union all
    select year, org_nr, 'similar', org_nr, 'liknande myndigheter'
    from kpis
    where employees > 0
)

select * from final
