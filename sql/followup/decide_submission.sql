-- A submission loaded or returned; a submission decided before keeps its first outcome.
insert into submission_outcomes (submission_id, outcome, message, decided_by, decided_at)
values (:submission_id, :outcome, :message, :decided_by, :decided_at)
on conflict (submission_id) do nothing
