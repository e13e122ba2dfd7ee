-- One submitted file; a retry with the same submission_id stores nothing more.
insert into submissions (
    submission_id, org_nr, file_name, sha256, content, kinds, first_year, last_year, row_count,
    submitted_by, submitted_at
)
values (
    :submission_id, :org_nr, :file_name, :sha256, :content, :kinds, :first_year, :last_year, :row_count,
    :submitted_by, :submitted_at
)
on conflict (submission_id) do nothing
