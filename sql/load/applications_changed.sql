-- Rows that differ, either way, between the file and its slices in the database.
with
existing as (
    select a.* exclude (load_id)
    from applications as a
    semi join slices as s on a.org_nr = s.org_nr and year(a.received_on) = s.year
),

incoming_rows as (
    select
        application_key, org_nr, received_on, decided_on, measure, decision,
        requested_sek, granted_sek, gender, age_band
    from incoming_applications
),

added as (select * from incoming_rows except all select * from existing),

removed as (select * from existing except all select * from incoming_rows)

select (select count(*) from added) + (select count(*) from removed) as changed_rows
