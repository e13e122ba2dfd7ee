-- The measures of the product, as users quote them: label, unit, direction and definition.
-- direction: which way is better when an agency is placed among its peers; approval rate is
-- shown neutral. compared: whether peers are compared on it (a ratio that does not grow with size).
create or replace view kpi_definitions as
select * from (
    values
        (
            'allocated_sek', 1, 'Årets avsättning', 'kr', 'neutral', false,
            'Lönesumman gånger årets avsättningsnivå: 0,3 % till och med 2023, 0,2 % från 2024. '
            || 'Visas som myndigheten rapporterat den; inläsningen varnar om den avviker mer än 2 % '
            || 'från nivån gånger lönesumman.'
        ),
        (
            'spent_sek', 2, 'Nyttjat', 'kr', 'neutral', false,
            'Det som myndigheten förbrukat av medlen under året.'
        ),
        (
            'utilisation', 3, 'Nyttjandegrad', 'andel', 'higher_better', true,
            'Nyttjat under året delat med årets avsättning.'
        ),
        (
            'closing_balance_sek', 4, 'Outnyttjade medel', 'kr', 'lower_better', false,
            'Utgående saldo vid årets slut.'
        ),
        (
            'reserve_years', 5, 'Saldo i årsavsättningar', 'år', 'lower_better', true,
            'Utgående saldo delat med årets avsättning: hur många års avsättningar som står oanvända.'
        ),
        (
            'applications_per_100_employees', 6, 'Ansökningar per 100 anställda', 'per 100', 'higher_better', true,
            'Ansökningar som kommit in under året delat med antalet anställda, gånger 100.'
        ),
        (
            'approval_rate', 7, 'Beviljandegrad', 'andel', 'neutral', true,
            'Beviljade och delvis beviljade delat med beslutade (beviljade, delvis beviljade och avslag). '
            || 'Återtagna och ansökningar under handläggning räknas inte.'
        ),
        (
            'granted_per_employee_sek', 8, 'Beviljat per anställd', 'kr', 'higher_better', true,
            'Beviljat belopp för ansökningar som kom in under året delat med antalet anställda.'
        ),
        (
            'median_handling_days', 9, 'Handläggningstid', 'dagar', 'lower_better', true,
            'Median av antalet dagar från inkommen ansökan till beslut, för beslutade ansökningar.'
        ),
        (
            'measure_mix', 10, 'Fördelning per insats', 'andel', 'neutral', false,
            'Andel av beviljat belopp och av ansökningarna per insatstyp.'
        )
) as definitions (kpi, sort_order, label_sv, unit_sv, direction, compared, definition_sv)
