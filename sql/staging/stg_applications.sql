-- One row per application, with the year it counts in and what its decision means.
create or replace view stg_applications as
with
source as (
    select * from applications
),

final as (
    select
        org_nr,
        application_key,
        year(received_on)::integer as year,
        received_on,
        decided_on,
        measure,
        decision,
        decision in ('beviljad', 'delvis beviljad') as is_granted,
        -- decided: a decision on the merits; withdrawn and pending applications are not decided
        decision in ('beviljad', 'delvis beviljad', 'avslag') as is_decided,
        decided_on - received_on as handling_days,
        requested_sek,
        granted_sek,
        load_id
    from source
)

select * from final
