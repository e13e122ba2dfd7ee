-- The three kinds of peer group an agency is compared with, described with the settings in force.
create or replace view peer_group_types as
with
settings as (
    select * from peer_settings
),

types as (
    select * from (
        values
            ('sector', 1, 'Samma sektor', 'Myndigheterna i samma sektor som i registret.'),
            ('size', 2, 'Samma storlek', 'Myndigheterna i samma storleksklass efter antal anställda under året.'),
            (
                'similar', 3, 'Liknande myndigheter',
                'Myndigheten och de {count} myndigheter som ligger närmast i storlek och sektor. Avståndet är '
                || 'antalet fördubblingar mellan antalen anställda, plus {sector} om sektorn är en annan.'
            )
    ) as types (group_type, sort_order, label_sv, description_template)
),

final as (
    select
        types.group_type,
        types.sort_order,
        types.label_sv,
        replace(
            replace(types.description_template, '{count}', settings.similar_count::varchar),
            '{sector}', sv_short(settings.sector_weight)
        ) as description_sv
    from types
    cross join settings
)

select * from final
