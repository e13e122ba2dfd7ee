-- How peer groups are formed and ranked; one row, documented in kpi terms on the Om måtten page.
--   similar_count: how many nearest agencies make up an agency's "similar agencies"
--   size_weight: distance per doubling of head count, |log2(employees a / employees b)|
--   sector_weight: distance added when the sectors differ (1: as far as twice the size)
--   min_for_class: fewest agencies with a value for a quartile class; with fewer, no quarter holds
--                  a whole agency, and the class is left out (shown grey)
create or replace view peer_settings as
select * from (
    values (10, 1.0, 1.0, 4)
) as settings (similar_count, size_weight, sector_weight, min_for_class)
