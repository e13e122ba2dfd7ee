-- The counts behind the rates of every member of one agency's peer group, year by year
-- ($org_nr, $group_type), for disclosure control of the viewer's view of its peers.
with
members as (
    select * from agency_peers
    where org_nr = $org_nr and group_type = $group_type
),

kpis as (
    select * from agency_year_kpis
),

final as (
    select
        members.year,
        members.member_org_nr as org_nr,
        kpis.applications,
        kpis.decided,
        kpis.granted,
        kpis.rejected
    from members
    inner join kpis on kpis.org_nr = members.member_org_nr and kpis.year = members.year
)

select * from final
order by year, org_nr
