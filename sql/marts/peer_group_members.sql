-- The agencies of each peer group, the compared agency included.
create or replace view peer_group_members as
with
groups as (
    select * from peer_groups
),

nearest as (
    select * from similar_agencies
),

final as (
    select year, group_type, group_id, org_nr as member_org_nr
    from groups
    union all
    select year, 'similar', org_nr, peer_org_nr
    from nearest
)

select * from final
