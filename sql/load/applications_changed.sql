-- Rows that differ, either way, between the file and its slices in the database.
with
existing as (
    select a.* exclude (load_id)
    from applications as a
    semi join slices as s on a.org_nr = s.org_nr and year(a.received_on) = s.year
),

added as (select * from incoming except all select * from existing),

removed as (select * from existing except all select * from incoming)

select (select count(*) from added) + (select count(*) from removed) as changed_rows
