-- Applications, grants and granted kronor per measure type in one year, for one agency and for
-- all agencies together ($org_nr, $year), with how many agencies each national figure rests on.
with
mix as (
    select * from agency_year_measure_mix
    where year = $year
),

national as (
    select
        measure,
        sum(applications) as national_applications,
        sum(granted) as national_granted,
        sum(granted_sek) as national_granted_sek,
        count(*) filter (where applications > 0) as national_agencies
    from mix
    group by measure
),

agency as (
    select * from mix
    where org_nr = $org_nr
),

final as (
    select
        national.measure,
        coalesce(agency.applications, 0) as applications,
        coalesce(agency.granted, 0) as granted,
        coalesce(agency.granted_sek, 0) as granted_sek,
        national.national_applications,
        national.national_granted,
        national.national_granted_sek,
        national.national_agencies
    from national
    left join agency on agency.measure = national.measure
)

select * from final
order by national_granted_sek desc, measure collate sv
