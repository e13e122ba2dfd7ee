-- What the figures rest on, in one row.
select * from data_vintage
