-- The measures of the product, as users quote them: label, unit, direction and definition, in the
-- order they are shown. From config/measures.toml, which the pages read too: the one definition.
-- lom/db/models.py hands the file's measures to the build as `measure_definitions`.
-- direction: which way is better when an agency is placed among its peers; approval rate is
-- shown neutral. compared: whether peers are compared on it (a ratio that does not grow with size).
create or replace table kpi_definitions as
with
definitions as (
    select * from measure_definitions
),

final as (
    select
        kpi::varchar as kpi,
        sort_order::integer as sort_order,
        label_sv::varchar as label_sv,
        unit_sv::varchar as unit_sv,
        direction::varchar as direction,
        compared::boolean as compared,
        definition_sv::varchar as definition_sv
    from definitions
)

select * from final
