-- Record which SQL built the views and macros (one row).
delete from model_build;
insert into model_build values ($sql_sha256, $built_at);
