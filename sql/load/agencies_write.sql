-- Agencies are upserted: an agency not in the file keeps its row.
insert into agencies (org_nr, name, sector, load_id)
select org_nr, name, sector, $load_id from incoming_agencies
on conflict (org_nr) do update set
    name = excluded.name,
    sector = excluded.sector,
    load_id = excluded.load_id
