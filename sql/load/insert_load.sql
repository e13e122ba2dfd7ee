insert into loads (file_name, content_sha256, size_bytes, status, started_at, finished_at)
values ($file_name, $content_sha256, $size_bytes, 'rejected', $started_at, $started_at)
returning load_id
