-- One entry; a retry with the same entry_id stores nothing more (exactly once).
insert into followup_entries (entry_id, org_nr, status, next_follow_up, note, plan, written_by, written_at)
values (:entry_id, :org_nr, :status, :next_follow_up, :note, :plan, :written_by, :written_at)
on conflict (entry_id) do nothing
