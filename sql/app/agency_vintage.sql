-- What the figures rest on, for an agency viewer ($org_nr): the years and agencies of all data,
-- but the loads and corrections of its own agency only.
with
vintage as (
    select * exclude (last_loaded_at, files_loaded, files_rejected, corrected_slices, last_corrected_at)
    from data_vintage
),

own as (
    select
        greatest(max(funds_loaded_at), max(applications_loaded_at)) as last_loaded_at,
        count(*) filter (where funds_corrected) + count(*) filter (where applications_corrected) as corrected_slices,
        greatest(
            max(funds_loaded_at) filter (where funds_corrected),
            max(applications_loaded_at) filter (where applications_corrected)
        ) as last_corrected_at
    from reporting_coverage
    where org_nr = $org_nr
)

select vintage.*, own.* from vintage, own
