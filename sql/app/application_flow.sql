-- The application flow of one year: received, decided (granted, rejected), withdrawn and still
-- pending, for one agency ($org_nr; none for the nation alone) and for all agencies together, with
-- how many agencies each national figure rests on. Counted by the year an application was received.
with
agency_years as (
    select * from int_agency_year_applications
    where year = $year
),

stages as (
    unpivot agency_years
    on applications, decided, granted, rejected, withdrawn, pending
    into name stage value applicant_count
),

national as (
    select
        stage,
        sum(applicant_count)::bigint as national_count,
        count(*) filter (where applicant_count > 0) as national_agencies
    from stages
    group by stage
),

agency as (
    select * from stages
    where org_nr = $org_nr
),

final as (
    select
        national.stage,
        coalesce(agency.applicant_count, 0) as own_count,
        national.national_count,
        national.national_agencies
    from national
    left join agency on agency.stage = national.stage
)

select * from final
