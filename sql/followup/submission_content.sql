-- One submitted file's name, bytes and SHA-256.
select org_nr, file_name, content, sha256
from submissions
where cast(submission_id as text) = :submission_id
