-- Every attempt to load a file.
create or replace view stg_loads as
with
source as (
    select * from loads
),

final as (
    select
        load_id,
        file_name,
        kinds,
        status,
        agencies,
        first_year,
        last_year,
        rows_in_file,
        rows_inserted,
        rows_replaced,
        errors,
        warnings,
        started_at,
        finished_at
    from source
)

select * from final
