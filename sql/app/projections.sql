-- Every agency's projection from one base year ($year, $reserve_limit, $peer_group).
with
projections as (
    select * from projection_summary(reserve_limit := $reserve_limit, peer_group := $peer_group)
    where base_year = $year
),

agencies as (
    select * from stg_agencies
),

final as (
    select
        projections.org_nr,
        agencies.name,
        agencies.sector,
        projections.* exclude (org_nr)
    from projections
    inner join agencies on agencies.org_nr = projections.org_nr
)

select * from final
order by extra_spending_per_year_sek desc, name collate sv
