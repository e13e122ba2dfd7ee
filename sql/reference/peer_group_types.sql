-- The three kinds of peer group an agency is compared with.
create or replace view peer_group_types as
select * from (
    values
        ('sector', 1, 'Samma sektor', 'Myndigheterna i samma sektor som i registret.'),
        ('size', 2, 'Samma storlek', 'Myndigheterna i samma storleksklass efter antal anställda under året.'),
        (
            'similar', 3, 'Liknande myndigheter',
            'Myndigheten och de tio myndigheter som ligger närmast i storlek och sektor. Avståndet är '
            || 'antalet fördubblingar mellan antalen anställda, plus 1 om sektorn är en annan: en annan '
            || 'sektor väger lika mycket som dubbla storleken.'
        )
) as types (group_type, sort_order, label_sv, description_sv)
