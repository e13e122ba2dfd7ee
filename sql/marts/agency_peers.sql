-- Each agency's peer group spelled out, per year and kind of group: one row per member, the agency
-- itself included, for what an agency may see of its own group.
create or replace view agency_peers as
with
groups as (
    select * from peer_groups
),

members as (
    select * from peer_group_members
),

final as (
    select
        groups.year,
        groups.org_nr,
        groups.group_type,
        groups.group_id,
        members.member_org_nr
    from groups
    inner join members
        on members.year = groups.year
        and members.group_type = groups.group_type
        and members.group_id = groups.group_id
)

select * from final
