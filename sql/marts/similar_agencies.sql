-- Each agency's nearest agencies in the same year by size and sector (weights in peer_settings):
-- distance = size_weight x |log2(employees a / employees b)| + sector_weight if the sectors differ.
-- Ties are broken by org_nr, so the choice is stable.
create or replace view similar_agencies as
with
kpis as (
    select org_nr, year, sector, employees
    from agency_year_kpis
    where employees > 0
),

settings as (
    select * from peer_settings
),

pairs as (
    select
        agency.year,
        agency.org_nr,
        peer.org_nr as peer_org_nr,
        settings.size_weight * abs(log2(agency.employees) - log2(peer.employees)) as size_distance,
        case when agency.sector = peer.sector then 0.0 else settings.sector_weight end as sector_distance
    from kpis as agency
    inner join kpis as peer on peer.year = agency.year and peer.org_nr <> agency.org_nr
    cross join settings
),

ranked as (
    select
        *,
        size_distance + sector_distance as distance,
        row_number() over (
            partition by year, org_nr order by size_distance + sector_distance, peer_org_nr
        ) as peer_rank
    from pairs
),

final as (
    select
        ranked.year,
        ranked.org_nr,
        ranked.peer_org_nr,
        ranked.peer_rank,
        ranked.distance,
        ranked.size_distance,
        ranked.sector_distance
    from ranked
    cross join settings
    where ranked.peer_rank <= settings.similar_count
)

select * from final
