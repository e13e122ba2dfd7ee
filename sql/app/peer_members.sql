-- The agencies of one agency's peer group in one year, the agency itself included
-- ($org_nr, $year, $group_type), for an agency viewer's view of its peers.
with
own_group as (
    select group_id from peer_groups
    where org_nr = $org_nr and year = $year and group_type = $group_type
),

final as (
    select members.member_org_nr as org_nr
    from peer_group_members as members
    inner join own_group on own_group.group_id = members.group_id
    where members.year = $year and members.group_type = $group_type
)

select distinct org_nr from final
order by org_nr
