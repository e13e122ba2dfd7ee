-- How peer groups are formed and used; one row.
--   similar_count: how many nearest agencies make up an agency's "similar agencies"
--   size_weight: distance per doubling of head count, |log2(employees a / employees b)|
--   sector_weight: distance added when the sectors differ (1: as far as twice the size)
--   min_agencies_placed: fewest agencies with a value (the agency placed counted among them) for
--                   a group to place an agency in it: a quartile class, a difference from the peer
--                   median beyond the noise, a gap to the peer median in kronor. With fewer, a
--                   quarter holds less than one agency and the median is little more than the
--                   agency itself; those are left out (grey). A statistical rule, for every viewer.
--                   Not to be confused with disclosure control's MIN_OTHER_AGENCIES (5, in
--                   lom/queries/disclosure.py): the fewest agencies besides the viewer's own that
--                   an aggregate shown to an agency may rest on, a rule of confidentiality.
create or replace view peer_settings as
select * from (
    values (10, 1.0, 1.0, 4)
) as settings (similar_count, size_weight, sector_weight, min_agencies_placed)
