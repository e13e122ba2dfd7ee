-- The (agency, year) slices each load wrote; rows_before > 0 means the load replaced earlier data.
create or replace view stg_load_slices as
with
source as (
    select * from load_slices
),

final as (
    select
        load_id,
        kind,
        org_nr,
        year,
        rows_before,
        rows_after,
        rows_before > 0 as is_correction
    from source
)

select * from final
