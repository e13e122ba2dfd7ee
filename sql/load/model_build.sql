-- The digest of the SQL that built the database's views and macros.
select sql_sha256 from model_build
