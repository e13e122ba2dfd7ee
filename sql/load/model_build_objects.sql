-- The objects the last build of the measures made.
select unnest(objects) as name from model_build
