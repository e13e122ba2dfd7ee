insert into load_messages (load_id, severity, sheet, row_number, column_name, rule, message)
select $load_id, severity, sheet, row_number, column_name, rule, message
from messages
