-- The agencies most like one agency in one year, nearest first ($org_nr, $year).
with
nearest as (
    select * from similar_agencies
    where org_nr = $org_nr and year = $year
),

kpis as (
    select * from agency_year_kpis
    where year = $year
),

final as (
    select
        nearest.peer_rank,
        nearest.peer_org_nr as org_nr,
        kpis.name,
        kpis.sector,
        kpis.employees,
        nearest.distance,
        nearest.size_distance,
        nearest.sector_distance
    from nearest
    inner join kpis on kpis.org_nr = nearest.peer_org_nr
)

select * from final
order by peer_rank
