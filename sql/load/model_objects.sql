-- The views, tables and macros of the database's main schema, to drop before the models are rebuilt.
select 'view' as kind, view_name as name
from duckdb_views()
where database_name = current_database() and schema_name = current_schema() and not internal
union all
select 'table', table_name
from duckdb_tables()
where database_name = current_database() and schema_name = current_schema()
union all
select distinct case function_type when 'table_macro' then 'macro table' else 'macro' end, function_name
from duckdb_functions()
where database_name = current_database() and schema_name = current_schema() and function_type in ('macro', 'table_macro')
