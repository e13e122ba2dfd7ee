-- One agency's measure mix in one year beside the national mix of the same year ($org_nr, $year).
with
mix as (
    select * from agency_year_measure_mix
    where year = $year
),

agency as (
    select * from mix
    where org_nr = $org_nr
),

national as (
    select
        measure,
        sum(applications) as applications,
        sum(granted_sek) as granted_sek
    from mix
    group by measure
),

national_shares as (
    select
        measure,
        applications / sum(applications) over () as share_of_applications,
        granted_sek / nullif(sum(granted_sek) over (), 0) as share_of_granted_sek
    from national
),

final as (
    select
        national_shares.measure,
        coalesce(agency.applications, 0) as applications,
        coalesce(agency.granted, 0) as granted,
        coalesce(agency.granted_sek, 0) as granted_sek,
        agency.share_of_applications,
        agency.share_of_granted_sek,
        national_shares.share_of_applications as national_share_of_applications,
        national_shares.share_of_granted_sek as national_share_of_granted_sek
    from national_shares
    left join agency on agency.measure = national_shares.measure
)

select * from final
order by granted_sek desc, national_share_of_granted_sek desc, measure collate sv
