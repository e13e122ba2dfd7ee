-- The staged rows of a file read in parts, dropped after it is written or rejected.
drop table if exists incoming
