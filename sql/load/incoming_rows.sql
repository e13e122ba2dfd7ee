-- The rows of a file read in parts, staged in the temp table incoming.
select count(*) as rows
from incoming
