-- Files that were refused, newest first, each with its first error.
with
loads as (
    select * from stg_loads
    where status = 'rejected'
),

first_errors as (
    select
        load_id,
        arg_min(message, coalesce(row_number, 0)) as first_error
    from load_messages
    where severity = 'error'
    group by load_id
),

final as (
    select
        loads.load_id,
        loads.finished_at,
        loads.file_name,
        loads.errors,
        loads.warnings,
        first_errors.first_error
    from loads
    left join first_errors on first_errors.load_id = loads.load_id
)

select * from final
order by load_id desc
