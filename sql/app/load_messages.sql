-- The errors and warnings of one load ($load_id), as the loader reported them.
select severity, sheet, row_number, column_name, rule, message
from load_messages
where load_id = $load_id
order by severity, row_number nulls first, column_name
