select coalesce(sum(rows_before), 0) as rows_replaced from slices
