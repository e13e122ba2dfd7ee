-- The decisions an application can have and what each counts as (granted, decided on the merits),
-- from config/lom.toml's [decision_counts], which the loader's checks read too: the one definition.
-- lom/db/models.py hands the configured rules to the build as `decision_rules`.
create or replace table decision_types as
with
rules as (
    select * from decision_rules
),

final as (
    select
        decision::varchar as decision,
        is_granted::boolean as is_granted,
        is_decided::boolean as is_decided
    from rules
)

select * from final
