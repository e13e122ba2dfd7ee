-- The agencies of the register.
create or replace view stg_agencies as
with
source as (
    select * from agencies
),

final as (
    select
        org_nr,
        name,
        sector
    from source
)

select * from final
