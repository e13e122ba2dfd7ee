-- Applications, decisions and grants by the applicant's gender or age band ($dimension) in one
-- year, for one agency ($org_nr; none for the nation alone) and for all agencies together, with
-- how many agencies each national figure rests on.
with
grouped as (
    select * from int_agency_year_groups
    where year = $year and dimension = $dimension
),

national as (
    select
        applicant_group,
        sum(applications)::bigint as national_applications,
        sum(decided)::bigint as national_decided,
        sum(granted)::bigint as national_granted,
        count(*) filter (where applications > 0) as national_agencies,
        count(*) filter (where decided > 0) as national_agencies_decided,
        count(*) filter (where granted > 0) as national_agencies_granted
    from grouped
    group by applicant_group
),

agency as (
    select * from grouped
    where org_nr = $org_nr
),

final as (
    select
        national.applicant_group,
        coalesce(agency.applications, 0) as applications,
        coalesce(agency.decided, 0) as decided,
        coalesce(agency.granted, 0) as granted,
        national.national_applications,
        national.national_decided,
        national.national_granted,
        national.national_agencies,
        national.national_agencies_decided,
        national.national_agencies_granted
    from national
    left join agency on agency.applicant_group = national.applicant_group
)

select * from final
-- the named groups first, those without the field last
order by applicant_group in ('annat/uppgift saknas', 'uppgift saknas'), applicant_group collate sv
