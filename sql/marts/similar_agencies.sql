-- Each agency's nearest agencies in the same year by size and sector (weights in peer_settings):
-- distance = size_weight x |log2(employees a / employees b)| + sector_weight if the sectors differ.
-- Distances are rounded to 9 decimals, so that equal distances are equal (log2(24) - log2(12)
-- and log2(12) - log2(6) differ in the last bit, and so do log2(3) and log2(1.5) + 1), and ties
-- are broken by org_nr: a stable choice. A table, rebuilt when funds or agencies are loaded: at
-- 300 agencies it compares 90 000 pairs a year. Size and sector are the fund years' and the
-- agencies' (agency_year_kpis takes them from there too), so loading applications leaves it be.
create or replace table similar_agencies as
with
fund_years as (
    select * from stg_fund_years
),

agencies as (
    select * from stg_agencies
),

kpis as (
    select fund_years.org_nr, fund_years.year, agencies.sector, log2(fund_years.employees) as log2_employees
    from fund_years
    inner join agencies on agencies.org_nr = fund_years.org_nr
    where fund_years.employees > 0
),

settings as (
    select * from peer_settings
),

pairs as (
    select
        agency.year,
        agency.org_nr,
        peer.org_nr as peer_org_nr,
        settings.size_weight * abs(agency.log2_employees - peer.log2_employees) as size_distance,
        case when agency.sector = peer.sector then 0.0 else settings.sector_weight end as sector_distance
    from kpis as agency
    inner join kpis as peer on peer.year = agency.year and peer.org_nr <> agency.org_nr
    cross join settings
),

nearest as (
    select
        pairs.year,
        pairs.org_nr,
        min_by(
            {
                'peer_org_nr': pairs.peer_org_nr,
                'size_distance': pairs.size_distance,
                'sector_distance': pairs.sector_distance
            },
            {'distance': round(pairs.size_distance + pairs.sector_distance, 9), 'peer_org_nr': pairs.peer_org_nr},
            (select similar_count from settings)
        ) as peers
    from pairs
    group by pairs.year, pairs.org_nr
),

ranked as (
    select
        year,
        org_nr,
        generate_subscripts(peers, 1) as peer_rank,
        unnest(peers, recursive := true)
    from nearest
),

final as (
    select
        year,
        org_nr,
        peer_org_nr,
        peer_rank,
        round(size_distance + sector_distance, 9) as distance,
        round(size_distance, 9) as size_distance,
        sector_distance
    from ranked
)

select * from final
order by year, org_nr, peer_rank
