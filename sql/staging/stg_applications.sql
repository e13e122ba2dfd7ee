-- One row per application, with the year it counts in and what its decision counts as.
create or replace view stg_applications as
with
source as (
    select * from applications
),

decisions as (
    select * from decision_types
),

final as (
    select
        org_nr,
        application_key,
        year(received_on)::integer as year,
        received_on,
        decided_on,
        measure,
        source.decision,
        decisions.is_granted,
        -- decided: a decision on the merits; withdrawn and pending applications are not decided
        decisions.is_decided,
        decided_on - received_on as handling_days,
        requested_sek,
        granted_sek,
        source.gender,
        source.age_band,
        load_id
    from source
    inner join decisions on decisions.decision = source.decision
)

select * from final
